import { useEffect, useRef } from "react";

export type ShortcutMap = Record<string, (e: KeyboardEvent) => void>;

/** True when a keystroke belongs to the user's typing, not to us. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag === "INPUT") {
    const type = (target as HTMLInputElement).type;
    return !["button", "checkbox", "radio", "submit", "reset"].includes(type);
  }
  return false;
}

function dialogOpen(): boolean {
  return document.querySelector('[aria-modal="true"]') !== null;
}

/**
 * Registers single-key shortcuts on the window. Keys are KeyboardEvent.key values ("j",
 * "ArrowDown", "?"). Ignored while typing, with modifiers (so Ctrl+A etc. keep working),
 * and while a modal dialog is open (the dialog owns the keyboard then).
 */
export function useShortcuts(map: ShortcutMap, enabled = true): void {
  const ref = useRef(map);
  useEffect(() => {
    ref.current = map;
  });
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      if (isTypingTarget(e.target) || dialogOpen()) return;
      const handler = ref.current[e.key];
      if (handler) {
        e.preventDefault();
        handler(e);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [enabled]);
}

/** The help text shown by `?`; keep in sync with the handlers above. */
export const SHORTCUT_HELP: [string, string][] = [
  ["j / ↓", "Next packet"],
  ["k / ↑", "Previous packet"],
  ["a", "Approve (then Enter to sign)"],
  ["e", "Edit and approve"],
  ["r", "Reject"],
  ["/", "Search"],
  ["?", "Show this help"],
  ["Esc", "Close dialog"],
];

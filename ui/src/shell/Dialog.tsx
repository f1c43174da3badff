import { useEffect, useId, useRef, type KeyboardEvent, type ReactNode } from "react";

interface Props {
  title: string;
  onClose: () => void;
  /** Called on Enter anywhere in the dialog (except in a textarea): the confirm action. */
  onEnter?: () => void;
  children: ReactNode;
}

/**
 * A modal dialog. We do not use <dialog>.showModal(): jsdom lacks it and we need the same
 * behaviour under test. Escape closes; focus moves in on open and back out on close.
 */
export function Dialog({ title, onClose, onEnter, children }: Props) {
  const titleId = useId();
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    const node = ref.current;
    // Focus the element marked data-autofocus (the confirm button), else the dialog itself.
    const target = node?.querySelector<HTMLElement>("[data-autofocus]") ?? node;
    target?.focus();
    return () => previous?.focus?.();
  }, []);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      onClose();
    } else if (e.key === "Enter" && onEnter && !(e.target instanceof HTMLTextAreaElement)) {
      // preventDefault stops the focused button's own Enter-activation: accept exactly once.
      e.preventDefault();
      onEnter();
    }
  };

  return (
    <div className="dialog-backdrop">
      <div
        ref={ref}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
        className="dialog"
        onKeyDown={onKeyDown}
      >
        <h2 id={titleId}>{title}</h2>
        {children}
      </div>
    </div>
  );
}

import type { Amount } from "./gen";

export function formatAmount(a: Amount): string {
  // The value stays the exact decimal string the agent sent; no float formatting.
  return `${a.value} ${a.currency}`;
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/** "in 4m 05s", "3h 12m overdue", for SLA countdowns. */
export function formatCountdown(deadlineMs: number, nowMs: number): string {
  const diff = deadlineMs - nowMs;
  const abs = Math.abs(diff);
  const s = Math.floor(abs / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  let text: string;
  if (d > 0) text = `${d}d ${h}h`;
  else if (h > 0) text = `${h}h ${String(m).padStart(2, "0")}m`;
  else text = `${m}m ${String(sec).padStart(2, "0")}s`;
  return diff >= 0 ? `in ${text}` : `${text} overdue`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

export function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1).replace(/_/g, " ");
}

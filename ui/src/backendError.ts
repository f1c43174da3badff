// The error every backend call rejects with: the shell's `{code, message}`
// (src-tauri/error.rs, codes from the Rust `ErrorCode`), or one the UI makes for a failure
// that did not come from the shell.
import type { ErrorCode } from "./gen";

/** Codes the UI gives failures that did not come from the shell (see backend.ts). */
export type UiErrorCode =
  /** A JavaScript error in the UI or in a Tauri plugin. */
  | "ui_error"
  /** Anything else that was thrown (a plain string from Tauri, ...). */
  | "unknown";

export interface BackendError {
  code: ErrorCode | UiErrorCode;
  message: string;
}

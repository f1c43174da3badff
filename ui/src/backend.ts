// The only module that talks to the Tauri shell. Components call these typed functions;
// every failure is normalised to a BackendError {code, message} so the UI can always show
// something meaningful, even for errors that did not come from src-tauri/error.rs.
import { Channel, invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { open as openDialog } from "@tauri-apps/plugin-dialog";
import type {
  AuditFilter,
  AuditPreview,
  DecideRequest,
  DecisionView,
  EndpointView,
  EngineEvent,
  ExportOptions,
  ExportProgress,
  ExportSummary,
  KeyInfo,
  NewEndpointRequest,
  NotifierStatus,
  PacketSummary,
  PacketView,
  QuarantinedPacket,
  QueueQuery,
  QueueStats,
  ReviewerRef,
  VerifyReport,
} from "./gen";
import type { BackendError } from "./backendError";

/** A notification asks the window to show a review (null: the queue). The payload of
 * src-tauri/notifications.rs's `open-packet` event (a shell type, so not generated). */
export interface OpenPacketRequest {
  packet_id: number | null;
}

export const ENGINE_EVENT = "engine-event";
export const OPEN_PACKET_EVENT = "open-packet";
export const NOTIFIER_STATUS_EVENT = "notifier-status";

export function isBackendError(e: unknown): e is BackendError {
  return (
    typeof e === "object" &&
    e !== null &&
    typeof (e as BackendError).code === "string" &&
    typeof (e as BackendError).message === "string"
  );
}

export function toBackendError(e: unknown): BackendError {
  if (isBackendError(e)) return { code: e.code, message: e.message };
  if (e instanceof Error) return { code: "ui_error", message: e.message };
  return { code: "unknown", message: typeof e === "string" ? e : JSON.stringify(e) };
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toBackendError(e);
  }
}

export const backend = {
  queueList: (query: QueueQuery) => call<PacketSummary[]>("queue_list", { query }),
  queueCount: (query: QueueQuery) => call<number>("queue_count", { query }),
  queueStats: () => call<QueueStats>("queue_stats"),
  packetGet: (id: number) => call<PacketView>("packet_get", { id }),
  decide: (id: number, request: DecideRequest) => call<DecisionView>("decide", { id, request }),
  endpointsList: () => call<EndpointView[]>("endpoints_list"),
  endpointAdd: (request: NewEndpointRequest) => call<EndpointView>("endpoint_add", { request }),
  endpointRemove: (id: string) => call<null>("endpoint_remove", { id }),
  endpointEnroll: (id: string) => call<EndpointView>("endpoint_enroll", { id }),
  reviewerGet: () => call<ReviewerRef>("reviewer_get"),
  reviewerSetName: (name: string) => call<ReviewerRef>("reviewer_set_name", { name }),
  keyInfo: () => call<KeyInfo>("key_info"),
  quarantineList: (limit: number) => call<QuarantinedPacket[]>("quarantine_list", { limit }),
  openLink: (url: string) => call<null>("open_link", { url }),
  auditPreview: (filter: AuditFilter, limit: number) =>
    call<AuditPreview>("audit_preview", { filter, limit }),
  /** Resolves when the export is complete; `onProgress` hears about it as it goes. */
  auditExport: (
    filter: AuditFilter,
    options: ExportOptions,
    onProgress: (p: ExportProgress) => void,
  ) =>
    call<ExportSummary>("audit_export", { filter, options, onProgress: new Channel(onProgress) }),
  /** True when an export was running and has been asked to stop. */
  auditExportCancel: () => call<boolean>("audit_export_cancel"),
  auditVerify: (dir: string) => call<VerifyReport>("audit_verify", { dir }),
  auditDefaultDir: () => call<string>("audit_default_dir"),
  /** The system folder picker; resolves to null when the user cancels it. */
  chooseFolder: async (title: string, defaultPath?: string): Promise<string | null> => {
    try {
      const picked = await openDialog({ directory: true, multiple: false, title, defaultPath });
      return typeof picked === "string" ? picked : null;
    } catch (e) {
      throw toBackendError(e);
    }
  },
  notificationsStatus: () => call<NotifierStatus>("notifications_status"),
  notificationsSetPaused: (paused: boolean) =>
    call<NotifierStatus>("notifications_set_paused", { paused }),
  /** The review on screen (null: none, or the window is in the background). */
  notificationsFocus: (packetId: number | null) => call<null>("notifications_focus", { packetId }),
};

/** Subscribes to engine events; resolves to the unsubscribe function. */
export async function onEngineEvent(handler: (event: EngineEvent) => void): Promise<UnlistenFn> {
  return subscribe(ENGINE_EVENT, handler);
}

/** Subscribes to "show this review" requests from notifications. */
export async function onOpenPacket(
  handler: (request: OpenPacketRequest) => void,
): Promise<UnlistenFn> {
  return subscribe(OPEN_PACKET_EVENT, handler);
}

/** Subscribes to notifier status changes (paused, service unavailable). */
export async function onNotifierStatus(
  handler: (status: NotifierStatus) => void,
): Promise<UnlistenFn> {
  return subscribe(NOTIFIER_STATUS_EVENT, handler);
}

async function subscribe<T>(event: string, handler: (payload: T) => void): Promise<UnlistenFn> {
  const unlisten = await listen<T>(event, (e) => handler(e.payload));
  // Tauri's unlisten is async despite its `() => void` type. Unsubscribing can race the
  // bridge going away (window closing, or test mocks cleared after unmount); there is
  // nothing left to unsubscribe from then, so the rejection is dropped, not left unhandled.
  return () => {
    Promise.resolve(unlisten()).catch(() => undefined);
  };
}

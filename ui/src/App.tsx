import { useState } from "react";
import { AuditView } from "./audit/AuditView";
import { EndpointsView } from "./endpoints/EndpointsView";
import { QuarantineView } from "./quarantine/QuarantineView";
import { QueueView, type QueueViewMemory } from "./queue/QueueView";
import { ShortcutHelp } from "./shell/ShortcutHelp";
import { useShortcuts } from "./shell/Shortcuts";
import { StatusBar } from "./shell/StatusBar";
import { useOpenPacketRequest } from "./shell/useEngineEvent";

type View = "queue" | "endpoints" | "quarantine" | "audit";
const VIEWS: { id: View; label: string }[] = [
  { id: "queue", label: "Queue" },
  { id: "endpoints", label: "Endpoints" },
  { id: "quarantine", label: "Quarantine" },
  { id: "audit", label: "Audit" },
];

export function App() {
  const [view, setView] = useState<View>("queue");
  const [help, setHelp] = useState(false);
  // A notification's Open (or a click on its body) shows that review in the queue.
  const [openRequest, setOpenRequest] = useState<{ id: number; seq: number }>();
  // The queue's filter and selection outlive a visit to another view.
  const [queueMemory, setQueueMemory] = useState<QueueViewMemory>();
  useShortcuts({ "?": () => setHelp(true) });
  useOpenPacketRequest((request) => {
    setView("queue");
    const id = request.packet_id;
    if (id !== null) setOpenRequest((r) => ({ id, seq: (r?.seq ?? 0) + 1 }));
  });

  return (
    <div className="app">
      <header className="top-bar">
        <h1>Countersign</h1>
        <nav aria-label="Views">
          {VIEWS.map((v) => (
            <button
              key={v.id}
              type="button"
              aria-current={view === v.id ? "page" : undefined}
              onClick={() => setView(v.id)}
            >
              {v.label}
            </button>
          ))}
        </nav>
        <button type="button" aria-label="Keyboard shortcuts" onClick={() => setHelp(true)}>
          ?
        </button>
      </header>
      <main className="main">
        {view === "queue" ? (
          <QueueView
            openRequest={openRequest}
            memory={queueMemory}
            onMemoryChange={setQueueMemory}
          />
        ) : null}
        {view === "endpoints" ? <EndpointsView /> : null}
        {view === "quarantine" ? <QuarantineView /> : null}
        {view === "audit" ? <AuditView /> : null}
      </main>
      <StatusBar />
      {help ? <ShortcutHelp onClose={() => setHelp(false)} /> : null}
    </div>
  );
}

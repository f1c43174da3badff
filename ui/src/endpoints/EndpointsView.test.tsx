import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { callsTo, endpoint, mockBackend } from "../test/fixtures";
import type { EndpointView as EV } from "../gen";
import { EndpointsView } from "./EndpointsView";

describe("EndpointsView", () => {
  it("adds an endpoint; the token field is a password input", async () => {
    const user = userEvent.setup();
    let list: EV[] = [];
    const calls = mockBackend({
      endpoints_list: () => list,
      endpoint_add: (a) => {
        const req = a.request as { name: string; base_url: string };
        const ep = endpoint({ id: "ep9", name: req.name, base_url: req.base_url, enrolled: false });
        list = [ep];
        return ep;
      },
    });
    render(<EndpointsView />);
    await screen.findByText("No endpoints yet. Add one below.");
    const token = screen.getByLabelText("Token");
    expect(token).toHaveAttribute("type", "password");
    await user.type(screen.getByLabelText("Name"), "Staging");
    await user.type(screen.getByLabelText("URL"), "https://staging.example.com");
    await user.type(token, "s3cret-token");
    await user.click(screen.getByRole("button", { name: "Add endpoint" }));
    expect(callsTo(calls, "endpoint_add")[0]?.args).toEqual({
      request: {
        name: "Staging",
        base_url: "https://staging.example.com",
        token: "s3cret-token",
        allow_insecure_http: false,
        kind: "native",
      },
    });
    expect(await screen.findByText("Staging")).toBeInTheDocument();
    expect(token).toHaveValue(""); // the secret does not linger in the form
  });

  it("adds a LangGraph server with an optional API key and assistant filter, and offers no key enrollment", async () => {
    const user = userEvent.setup();
    let list: EV[] = [];
    const calls = mockBackend({
      endpoints_list: () => list,
      endpoint_add: (a) => {
        const req = a.request as { name: string; base_url: string; assistant?: string };
        const ep = endpoint({
          id: "lg1",
          name: req.name,
          base_url: req.base_url,
          kind: "langgraph",
          enrolled: false,
          assistant_filter: req.assistant ?? null,
        });
        list = [ep];
        return ep;
      },
    });
    render(<EndpointsView />);
    await screen.findByText("No endpoints yet. Add one below.");
    expect(screen.queryByLabelText("Assistant or graph (optional)")).toBeNull();
    await user.selectOptions(screen.getByLabelText("Kind"), "LangGraph server");
    const key = screen.getByLabelText("API key (optional)");
    expect(key).toHaveAttribute("type", "password");
    await user.type(screen.getByLabelText("Name"), "Local graphs");
    await user.type(screen.getByLabelText("URL"), "http://127.0.0.1:2024");
    await user.type(screen.getByLabelText("Assistant or graph (optional)"), "inbox");
    // No key needed for a local `langgraph dev`.
    await user.click(screen.getByRole("button", { name: "Add endpoint" }));
    expect(callsTo(calls, "endpoint_add")[0]?.args).toEqual({
      request: {
        name: "Local graphs",
        base_url: "http://127.0.0.1:2024",
        token: "",
        allow_insecure_http: false,
        kind: "langgraph",
        assistant: "inbox",
      },
    });
    expect(await screen.findByText(/LangGraph server · assistant inbox/)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Enroll signing key/ })).toBeNull();
  });

  it("refuses to submit an incomplete form", async () => {
    const user = userEvent.setup();
    const calls = mockBackend({ endpoints_list: () => [] });
    render(<EndpointsView />);
    await user.click(await screen.findByRole("button", { name: "Add endpoint" }));
    expect(screen.getByRole("alert")).toHaveTextContent("Name, URL and token are all required.");
    expect(callsTo(calls, "endpoint_add")).toHaveLength(0);
  });

  it("shows keyring_unavailable prominently", async () => {
    const user = userEvent.setup();
    mockBackend({
      endpoints_list: () => [],
      endpoint_add: () => {
        throw {
          code: "keyring_unavailable",
          message: "the OS keyring is not available: no D-Bus session",
        };
      },
    });
    render(<EndpointsView />);
    await user.type(await screen.findByLabelText("Name"), "A");
    await user.type(screen.getByLabelText("URL"), "https://a.example");
    await user.type(screen.getByLabelText("Token"), "t");
    await user.click(screen.getByRole("button", { name: "Add endpoint" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveClass("error-prominent");
    expect(within(alert).getByText("The OS keyring is not available")).toBeInTheDocument();
    expect(alert).toHaveTextContent("no D-Bus session");
  });

  it("removes only after confirmation, and enrolls", async () => {
    const user = userEvent.setup();
    const calls = mockBackend({
      endpoints_list: () => [
        endpoint({ enrolled: false, health: "offline", health_detail: "connection refused" }),
      ],
      endpoint_remove: () => null,
      endpoint_enroll: () => endpoint(),
    });
    render(<EndpointsView />);
    expect(await screen.findByText("offline: connection refused")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Enroll signing key with Prod agents" }));
    expect(callsTo(calls, "endpoint_enroll")[0]?.args).toEqual({ id: "ep1" });

    await user.click(screen.getByRole("button", { name: "Remove Prod agents" }));
    const dialog = screen.getByRole("dialog", { name: "Remove Prod agents?" });
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(callsTo(calls, "endpoint_remove")).toHaveLength(0);
    await user.click(screen.getByRole("button", { name: "Remove Prod agents" }));
    await user.click(screen.getByRole("button", { name: "Remove endpoint" }));
    expect(callsTo(calls, "endpoint_remove")[0]?.args).toEqual({ id: "ep1" });
  });

  it("edits the reviewer display name", async () => {
    const user = userEvent.setup();
    const calls = mockBackend({
      reviewer_set_name: (a) => ({ id: "rev-1", display_name: a.name as string }),
    });
    render(<EndpointsView />);
    const input = await screen.findByLabelText(/Display name/);
    await waitFor(() => expect(input).toHaveValue("Dana Reviewer"));
    await user.clear(input);
    await user.type(input, "Dana R. Smith");
    await user.click(screen.getByRole("button", { name: "Save name" }));
    expect(callsTo(calls, "reviewer_set_name")[0]?.args).toEqual({ name: "Dana R. Smith" });
    expect(await screen.findByText("Saved.")).toBeInTheDocument();
    expect(screen.getByText("SHA256:ff")).toBeInTheDocument();
  });
});

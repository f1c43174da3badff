"""Test graphs for the LangGraph connector (tests/tests/langgraph.rs). No LLM calls:
the agents run on a scripted fake chat model, so every run is deterministic and offline.

Each graph pauses at a human-in-the-loop interrupt of one payload shape and records in its
final state what was applied, so a test can read back the decision's effect:
- inbox: the Agent Inbox `HumanInterrupt` list, raised by a plain `interrupt([request])`.
- batched / per_call: the real `langchain` HumanInTheLoopMiddleware in both modes.
- raw: a payload of no known shape, answered with a raw resume value.
- oversized: an Agent Inbox request whose args exceed the packet limits (quarantined).
"""

from typing import Any, TypedDict

from langchain.agents import create_agent
from langchain.agents.middleware import HumanInTheLoopMiddleware
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.tools import tool
from langgraph.graph import END, START, StateGraph
from langgraph.types import interrupt


class ScriptedModel(BaseChatModel):
    """Asks for three tool calls, then answers "done" once tool results are in. Decides
    from the conversation alone, because the server rebuilds the graph for every run."""

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools: Any, **kwargs: Any) -> "ScriptedModel":
        return self

    def _generate(self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any) -> ChatResult:
        if any(isinstance(m, ToolMessage) for m in messages):
            reply = AIMessage(content="done")
        else:
            reply = AIMessage(
                content="",
                tool_calls=[
                    {"name": "send_email", "args": {"to": "alice@example.com", "body": "Hi"}, "id": "call-email"},
                    {"name": "delete_file", "args": {"path": "/reports/q3.pdf"}, "id": "call-delete"},
                    {"name": "ask_user", "args": {"question": "Which account?"}, "id": "call-ask"},
                ],
            )
        return ChatResult(generations=[ChatGeneration(message=reply)])


@tool
def send_email(to: str, body: str) -> str:
    """Send an email."""
    return f"sent to {to}: {body}"


@tool
def delete_file(path: str) -> str:
    """Delete a file."""
    return f"deleted {path}"


@tool
def ask_user(question: str) -> str:
    """Ask the user a question (answered by the reviewer)."""
    return "no answer"


def _agent(mode: str):
    return create_agent(
        ScriptedModel(),
        tools=[send_email, delete_file, ask_user],
        middleware=[
            HumanInTheLoopMiddleware(
                interrupt_on={
                    "send_email": {"allowed_decisions": ["approve", "edit", "reject"]},
                    "delete_file": {"allowed_decisions": ["approve", "reject"]},
                    "ask_user": {"allowed_decisions": ["respond", "reject"]},
                },
                interrupt_mode=mode,
            )
        ],
    )


batched = _agent("batched")
per_call = _agent("per_call")


class InboxState(TypedDict, total=False):
    amount: int
    applied: dict


def _inbox_review(state: InboxState) -> InboxState:
    request = {
        "action_request": {"action": "issue_refund", "args": {"order": "A-1", "amount": state.get("amount", 120)}},
        "config": {"allow_accept": True, "allow_edit": True, "allow_respond": True, "allow_ignore": True},
        "description": "Customer was **charged twice**.",
    }
    response = interrupt([request])[0]
    kind = response["type"]
    if kind == "accept":
        applied = {"type": "accept", "ran_with": request["action_request"]["args"]}
    elif kind == "edit":
        applied = {"type": "edit", "ran_with": response["args"]["args"]}
    elif kind == "response":
        applied = {"type": "response", "message": response["args"]}
    else:
        applied = {"type": "ignore", "skipped": True}
    return {"applied": applied}


inbox = StateGraph(InboxState).add_node("review", _inbox_review)
inbox = inbox.add_edge(START, "review").add_edge("review", END).compile()


class RawState(TypedDict, total=False):
    answer: Any


def _raw_review(state: RawState) -> RawState:
    return {"answer": interrupt({"question": "Pick a colour", "options": ["red", "blue"]})}


raw = StateGraph(RawState).add_node("ask", _raw_review).add_edge(START, "ask").add_edge("ask", END).compile()


def _oversized_review(state: RawState) -> RawState:
    request = {
        "action_request": {"action": "upload", "args": {"blob": "x" * 400_000}},
        "config": {"allow_accept": True},
        "description": "Far over the size limit of a review packet.",
    }
    return {"answer": interrupt([request])}


oversized = (
    StateGraph(RawState).add_node("ask", _oversized_review).add_edge(START, "ask").add_edge("ask", END).compile()
)

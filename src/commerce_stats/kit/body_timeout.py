"""A deadline on reading request bodies, which uvicorn does not have.

A client that sends its headers and then trickles (or never sends) its body would
hold its connection, a file descriptor and a task for as long as it likes. This ASGI
middleware gives every body an idle timeout (the longest wait for its next chunk)
and a total timeout (from the request's start to its last byte). When either passes,
the client is answered 408 with ``Connection: close`` and the application sees the
client as gone; whatever it answers afterwards is dropped.
"""

from __future__ import annotations

import asyncio
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

TIMEOUT_BODY = (
    b'{"error":{"code":"body_timeout","message":"the request body did not arrive in time"}}'
)


class BodyTimeoutMiddleware:
    def __init__(self, app: ASGIApp, idle_seconds: float, total_seconds: float) -> None:
        self.app = app
        self.idle_seconds = idle_seconds
        self.total_seconds = total_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = _TimedBody(receive, send, self.idle_seconds, time.monotonic() + self.total_seconds)
        await self.app(scope, body.receive, body.send)


class _TimedBody:
    """One request's ``receive``/``send`` pair with the body's deadlines."""

    def __init__(self, receive: Receive, send: Send, idle_seconds: float, deadline: float) -> None:
        self._receive = receive
        self._send = send
        self.idle_seconds = idle_seconds
        self.deadline = deadline
        self.body_complete = False
        self.response_started = False
        self.timed_out = False

    async def receive(self) -> Message:
        if self.body_complete or self.timed_out:
            # Past the body, receive() only reports a disconnect: no deadline applies.
            return await self._receive()
        wait = max(0.0, min(self.idle_seconds, self.deadline - time.monotonic()))
        try:
            message = await asyncio.wait_for(self._receive(), wait)
        except TimeoutError:
            await self._give_up()
            return {"type": "http.disconnect"}
        if message["type"] == "http.request" and not message.get("more_body", False):
            self.body_complete = True
        return message

    async def send(self, message: Message) -> None:
        if self.timed_out:
            return
        if message["type"] == "http.response.start":
            self.response_started = True
        await self._send(message)

    async def _give_up(self) -> None:
        self.timed_out = True
        if self.response_started:
            return
        await self._send(
            {
                "type": "http.response.start",
                "status": 408,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(TIMEOUT_BODY)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await self._send({"type": "http.response.body", "body": TIMEOUT_BODY})

#!/usr/bin/env python3
"""A small stand-in for the Anthropic Messages API, for running the real
`claude` CLI offline in parrun's tests and example.

    python3 mock_anthropic.py [--port-file FILE] [--log FILE]

Binds 127.0.0.1 on a free port (never a fixed one) and prints the port on its
first line of output (and into --port-file). It answers POST /v1/messages:

- when the prompt contains `[[write PATH: TEXT]]` and no tool result has come
  back yet, with a `Write` tool call for PATH (the CLI writes the file, with
  --permission-mode acceptEdits) and then, once the tool result arrives, with
  a short text;
- when the prompt contains `[[429 once]]`, the first request of that prompt gets
  a 429 `rate_limit_error`;
- when the prompt contains `[[429 after tool]]`, the first request that carries
  a tool result gets a 429 (an attempt that has used tokens is rate-limited);
- when the prompt contains `[[529 twice]]`, the first two requests of that
  prompt get a 529 `overloaded_error` (the CLI, allowed retries, reports each
  as an `api_retry` event and tries again);
- when the prompt contains `[[usage limit once]]`, the first request of that
  prompt gets a 429 whose headers say the account's usage limit is reached and
  resets in 3 seconds (`anthropic-ratelimit-unified-status: rejected`);
- when the prompt contains `[[slow SECONDS]]`, the first answer waits that long;
- when the prompt contains `[[slow after tool SECONDS]]`, the first answer
  after a tool result waits that long (an attempt killed mid-way has used tokens);
- when the prompt contains `[[on feedback write PATH: TEXT]]` and the latest
  user message quotes a verifier or a reviewer, or says the work could not be
  merged (a conflict), with a `Write` of TEXT to PATH (once per such message);
- with `--answers FILE` (a JSON list of {"match": TEXT, "writes": [{"path",
  "content"}]}), a prompt containing TEXT gets one `Write` call per file, in
  turn (paths relative to --root), then a short text;
- anything else with a short text.

Answers stream as server-sent events when the request asks for a stream.
Every answer uses 25 input and 12 output tokens; with --log, each answered
request also logs a line {"served": {"model", "input_tokens", "output_tokens"}},
so a test can check what parrun counted against what the mock served.
"""
import argparse, itertools, json, os, re, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

seen = set()
message_ids = itertools.count(1)
lock = threading.Lock()
log_file = None
answers = []
root = "."


def texts(content):
    if isinstance(content, str):
        return [content]
    out = []
    for block in content or []:
        if block.get("type") == "text":
            out.append(block.get("text", ""))
        elif block.get("type") == "tool_result":
            out.append("[tool_result]")
    return out


def first_time(key):
    with lock:
        if key in seen:
            return False
        seen.add(key)
        return True


def plan(request):
    """The blocks to answer with, and the status code."""
    messages = request.get("messages", [])
    every = "\n".join(t for m in messages if m.get("role") == "user" for t in texts(m.get("content")))
    last = messages[-1] if messages else {}
    tool_results = any(isinstance(b, dict) and b.get("type") == "tool_result"
                       for m in messages if m.get("role") == "user" for b in (m.get("content") if isinstance(m.get("content"), list) else []))
    if "[[429 once]]" in every and first_time("429:" + every[:200]):
        return 429, None
    # The first user message names the conversation (its start is the CLI's own text, the same for all).
    conversation = "\n".join(texts(messages[0].get("content"))) if messages else ""
    if "[[429 after tool]]" in every and tool_results and first_time("429 after tool:" + conversation):
        return 429, None
    if "[[529 twice]]" in every and (first_time("529a:" + every[:200]) or first_time("529b:" + every[:200])):
        return 529, None
    if "[[usage limit once]]" in every and first_time("usage:" + every[:200]):
        return 4290, None
    slow = re.search(r"\[\[slow (\d+(?:\.\d+)?)\]\]", every)
    if slow and first_time("slow:" + every[:200]):
        time.sleep(float(slow.group(1)))
    slow_after_tool = re.search(r"\[\[slow after tool (\d+(?:\.\d+)?)\]\]", every)
    if slow_after_tool and tool_results and first_time("slow after tool:" + conversation):
        time.sleep(float(slow_after_tool.group(1)))
    has_tools = bool(request.get("tools"))
    done = sum(1 for m in messages if m.get("role") == "user" and isinstance(m.get("content"), list)
               for b in m["content"] if isinstance(b, dict) and b.get("type") == "tool_result")
    for answer in answers:
        if answer["match"] in every and has_tools:
            writes = answer["writes"]
            if done < len(writes):
                target = writes[done]
                return 200, [{"type": "text", "text": "Writing %s." % target["path"]},
                             {"type": "tool_use", "id": "toolu_%d" % int(time.time() * 1e6), "name": "Write",
                              "input": {"file_path": os.path.join(root, target["path"]), "content": target["content"]}}]
            return 200, [{"type": "text", "text": answer.get("summary", "Done.")}]
    feedback = re.search(r"\[\[on feedback write (\S+): (.*?)\]\]", every)
    if feedback and has_tools:
        asks = [i for i, m in enumerate(messages) if m.get("role") == "user"
                and any(word in t for t in texts(m.get("content")) for word in ("verifier", "reviewer", "could not be merged"))]
        if asks:
            answered = any(isinstance(b, dict) and b.get("type") == "tool_result"
                           for m in messages[asks[-1] + 1:] if m.get("role") == "user"
                           for b in (m.get("content") if isinstance(m.get("content"), list) else []))
            if not answered:
                return 200, [{"type": "tool_use", "id": "toolu_%d" % int(time.time() * 1e6), "name": "Write",
                              "input": {"file_path": feedback.group(1), "content": feedback.group(2) + "\n"}}]
            return 200, [{"type": "text", "text": "Fixed."}]
    write = re.search(r"\[\[write (\S+): (.*?)\]\]", every)
    if write and has_tools and not tool_results:
        return 200, [{"type": "tool_use", "id": "toolu_%d" % int(time.time() * 1e6), "name": "Write",
                      "input": {"file_path": write.group(1), "content": write.group(2) + "\n"}}]
    return 200, [{"type": "text", "text": "Done." if tool_results else "Nothing to do."}]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_HEAD(self):
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        self.reply(200, {})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b"{}"
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            request = {}
        if log_file:
            with lock, open(log_file, "a") as f:
                f.write(json.dumps({"path": self.path, "model": request.get("model"), "stream": request.get("stream"),
                                    "messages": len(request.get("messages", []))}) + "\n")
        if not self.path.startswith("/v1/messages") or self.path.startswith("/v1/messages/count_tokens"):
            self.reply(200, {"input_tokens": 10})
            return
        status, blocks = plan(request)
        if status == 4290:
            reset = str(int(time.time()) + 3)
            self.reply(429, {"type": "error", "error": {"type": "rate_limit_error", "message": "Claude AI usage limit reached|" + reset}},
                       headers={"anthropic-ratelimit-unified-status": "rejected", "anthropic-ratelimit-unified-reset": reset,
                                "anthropic-ratelimit-unified-5h-status": "rejected", "anthropic-ratelimit-unified-5h-reset": reset,
                                "anthropic-ratelimit-unified-representative-claim": "five_hour", "retry-after": "3"})
            return
        if status == 529:
            self.reply(529, {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded (the mock)"}})
            return
        if status == 429:
            self.reply(429, {"type": "error", "error": {"type": "rate_limit_error", "message": "Rate limited by the mock"}},
                       headers={"retry-after": "0"})
            return
        stop = "tool_use" if any(b["type"] == "tool_use" for b in blocks) else "end_turn"
        model = request.get("model", "claude-mock")
        usage = {"input_tokens": 25, "output_tokens": 12, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
        if log_file:
            with lock, open(log_file, "a") as f:
                f.write(json.dumps({"served": {"model": model, "input_tokens": 25, "output_tokens": 12}}) + "\n")
        message_id = "msg_mock_%d" % next(message_ids)
        if not request.get("stream"):
            self.reply(200, {"id": message_id, "type": "message", "role": "assistant", "model": model, "content": blocks,
                             "stop_reason": stop, "stop_sequence": None, "usage": usage})
            return
        events = [("message_start", {"type": "message_start", "message": {
            "id": message_id, "type": "message", "role": "assistant", "model": model, "content": [],
            "stop_reason": None, "stop_sequence": None, "usage": dict(usage, output_tokens=1)}})]
        for index, block in enumerate(blocks):
            if block["type"] == "text":
                events.append(("content_block_start", {"type": "content_block_start", "index": index, "content_block": {"type": "text", "text": ""}}))
                events.append(("content_block_delta", {"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": block["text"]}}))
            else:
                events.append(("content_block_start", {"type": "content_block_start", "index": index, "content_block": dict(block, input={})}))
                events.append(("content_block_delta", {"type": "content_block_delta", "index": index, "delta": {"type": "input_json_delta", "partial_json": json.dumps(block["input"])}}))
            events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
        events.append(("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None}, "usage": {"output_tokens": 12}}))
        events.append(("message_stop", {"type": "message_stop"}))
        payload = "".join("event: %s\ndata: %s\n\n" % (name, json.dumps(data)) for name, data in events).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def reply(self, status, obj, headers=None):
        payload = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)


def main():
    global log_file
    # A parent may have blocked signals (test runners do); be stoppable by SIGTERM.
    import signal
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file")
    parser.add_argument("--log")
    parser.add_argument("--answers")
    parser.add_argument("--root", default=".")
    args = parser.parse_args()
    global answers, root
    log_file = args.log
    root = os.path.abspath(args.root)
    if args.answers:
        with open(args.answers) as f:
            answers = json.load(f)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write("%d\n" % port)
        os.rename(args.port_file + ".tmp", args.port_file)
    print(port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

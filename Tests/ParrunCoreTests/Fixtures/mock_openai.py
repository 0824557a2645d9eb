#!/usr/bin/env python3
"""A small stand-in for the OpenAI Responses API, for running the real
`codex exec --json` offline in parrun's tests.

    python3 mock_openai.py [--port-file FILE] [--log FILE]

Binds 127.0.0.1 on a free port (never a fixed one) and prints the port on its
first line of output (and into --port-file). Point codex at it with a
model_provider whose base_url is http://127.0.0.1:PORT/v1 and
wire_api = "responses". It answers POST .../responses with server-sent events
(response.created, response.output_item.done, response.completed with usage).

A conversation's turn starts at its latest user message (codex's own
`<environment_context>` messages do not count). Within a turn:

- `[[patch PATH: TEXT]]` in the prompt: an `apply_patch` call that adds PATH
  holding TEXT (codex writes it), then, once its output came back, a short text;
- `[[exec PATH: TEXT]]`: an `exec_command` call that writes TEXT into PATH
  through the shell, then a short text;
- `[[on feedback patch PATH: TEXT]]`: when the latest user message quotes a
  verifier or a reviewer, says the work could not be merged, or asks to
  continue, an `apply_patch` that replaces PATH with TEXT, then a short text;
- `[[429 once]]`: the first request of that prompt gets a 429 with
  `Retry-After: 1` (codex waits that long and retries, printing an `error` line);
- `[[429 no retry-after]]`: the first request of that prompt gets a 429
  without Retry-After (codex gives up at once, exit 1);
- `[[usage limit once]]`: the first request of that prompt gets a 429 whose
  error is `usage_limit_reached`, without a reset time;
- `[[slow SECONDS]]`: the first answer of that prompt waits that long;
- anything else: a short text.

Every answer uses 25 input and 12 output tokens (5 of the input cached); with
--log, each request logs a line {"path", "model", "items"} and each answer a
line {"served": {"model", "input_tokens", "output_tokens"}}, so a test can
check what parrun counted against what the mock served.
"""
import argparse, itertools, json, re, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

seen = set()
ids = itertools.count(1)
lock = threading.Lock()
log_file = None

FEEDBACK_WORDS = ("verifier", "reviewer", "could not be merged", "Continue from where you stopped")


def first_time(key):
    with lock:
        if key in seen:
            return False
        seen.add(key)
        return True


def log(entry):
    if log_file:
        with lock, open(log_file, "a") as f:
            f.write(json.dumps(entry) + "\n")


def message_text(item):
    content = item.get("content")
    if isinstance(content, str):
        return content
    return "\n".join(part.get("text", "") for part in content or [] if isinstance(part, dict))


def is_prompt(item):
    """A user message that is the user's (or parrun's) prompt, not codex's own context."""
    if item.get("type", "message") != "message" or item.get("role") != "user":
        return False
    return not message_text(item).lstrip().startswith("<")


def plan(request):
    """(status, output items) for one request."""
    items = request.get("input") or []
    prompts = [i for i, item in enumerate(items) if is_prompt(item)]
    every = "\n".join(message_text(items[i]) for i in prompts)
    first = message_text(items[prompts[0]]) if prompts else ""
    last = message_text(items[prompts[-1]]) if prompts else ""
    after = items[prompts[-1] + 1:] if prompts else items
    # Tool calls already answered in this turn.
    done = sum(1 for item in after if item.get("type") in ("function_call_output", "custom_tool_call_output"))
    key = first[:300]
    if "[[429 once]]" in every and first_time("429:" + key):
        return 429, "retry-after"
    if "[[429 no retry-after]]" in every and first_time("429 bare:" + key):
        return 429, None
    if "[[usage limit once]]" in every and first_time("usage:" + key):
        return 4290, None
    slow = re.search(r"\[\[slow (\d+(?:\.\d+)?)\]\]", every)
    if slow and first_time("slow:" + key):
        time.sleep(float(slow.group(1)))
    actions = []
    if len(prompts) > 1 and any(word in last for word in FEEDBACK_WORDS):
        actions = [("patch", m.group(1), m.group(2)) for m in re.finditer(r"\[\[on feedback patch (\S+): (.*?)\]\]", every)]
        # A continued thread (no feedback of its own) does the first prompt's work, unless it is done.
        if not actions and not any(item.get("type") in ("function_call_output", "custom_tool_call_output") for item in items):
            actions = first_actions(first)
    elif len(prompts) <= 1:
        actions = first_actions(first)
    if done < len(actions):
        kind, path, text = actions[done]
        call = "call_mock_%d" % next(ids)
        if kind == "patch":
            earlier = lines_patched_earlier(items, path)
            if earlier is None:
                patch = "*** Begin Patch\n*** Add File: %s\n+%s\n*** End Patch\n" % (path, text)
            else:
                patch = "*** Begin Patch\n*** Update File: %s\n@@\n%s+%s\n*** End Patch\n" % (
                    path, "".join("-" + line + "\n" for line in earlier), text)
            return 200, [{"type": "custom_tool_call", "id": "ctc_%s" % call, "status": "completed", "call_id": call,
                          "name": "apply_patch", "input": patch}]
        command = "printf '%%s\\n' %s > %s" % (shell_quote(text), shell_quote(path))
        return 200, [{"type": "function_call", "id": "fc_%s" % call, "status": "completed", "call_id": call,
                      "name": "exec_command", "arguments": json.dumps({"cmd": command})}]
    return 200, [{"type": "message", "role": "assistant", "id": "msg_mock_%d" % next(ids), "status": "completed",
                  "content": [{"type": "output_text", "text": "Done." if done else "Nothing to do.", "annotations": []}]}]


def first_actions(prompt):
    return [(m.group(1), m.group(2), m.group(3)) for m in re.finditer(r"\[\[(patch|exec) (\S+): (.*?)\]\]", prompt)]


def lines_patched_earlier(items, path):
    """The lines the conversation's last apply_patch of `path` left in it (a
    feedback round replaces them), or None when none touched it."""
    found = None
    for item in items:
        patch = item.get("input", "") if item.get("type") == "custom_tool_call" else ""
        if ("File: " + path + "\n") in patch:
            found = [line[1:] for line in patch.split("\n") if line.startswith("+")]
    return found


def shell_quote(text):
    return "'" + text.replace("'", "'\\''") + "'"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.reply(404, {"error": {"message": "not here"}})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b"{}"
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            request = {}
        log({"path": self.path, "model": request.get("model"), "items": len(request.get("input") or [])})
        if not self.path.endswith("/responses"):
            self.reply(404, {"error": {"message": "the mock answers only /responses"}})
            return
        status, output = plan(request)
        if status == 4290:
            # No reset time: codex then names none, and parrun waits --usage-limit-wait.
            self.reply(429, {"error": {"type": "usage_limit_reached", "message": "The usage limit has been reached",
                                       "plan_type": "plus"}})
            return
        if status == 429:
            headers = {"retry-after": "1"} if output == "retry-after" else {}
            self.reply(429, {"error": {"type": "rate_limit_exceeded", "message": "Rate limited by the mock"}}, headers=headers)
            return
        model = request.get("model", "gpt-mock")
        response_id = "resp_mock_%d" % next(ids)
        usage = {"input_tokens": 25, "input_tokens_details": {"cached_tokens": 5}, "output_tokens": 12,
                 "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 37}
        log({"served": {"model": model, "input_tokens": 25, "output_tokens": 12}})
        events = [("response.created", {"type": "response.created", "response": {"id": response_id, "model": model}})]
        for index, item in enumerate(output):
            events.append(("response.output_item.added", {"type": "response.output_item.added", "output_index": index, "item": item}))
            if item["type"] == "message":
                events.append(("response.output_text.delta", {"type": "response.output_text.delta", "output_index": index,
                                                              "item_id": item["id"], "content_index": 0, "delta": item["content"][0]["text"]}))
            events.append(("response.output_item.done", {"type": "response.output_item.done", "output_index": index, "item": item}))
        events.append(("response.completed", {"type": "response.completed", "response": {"id": response_id, "model": model, "usage": usage}}))
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
    args = parser.parse_args()
    log_file = args.log
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write("%d\n" % port)
        import os
        os.rename(args.port_file + ".tmp", args.port_file)
    print(port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

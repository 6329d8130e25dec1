// The `link` worker of iii's Linkly tutorial (link/src/index.ts as it stands in Ch. 5, "Stream
// live clicks"), run against streamnode. The function names, payloads and handlers are the
// tutorial's; the lines that differ are marked `streamnode:` and README.md lists why.
import { registerWorker, TriggerAction } from "iii-sdk";
import { Logger } from "@iii-dev/helpers/observability";

// streamnode: the URL also comes from STREAMNODE_WORKER_URL, and the default names 127.0.0.1
// (Node resolves `localhost` to ::1 first, and streamnode listens on 127.0.0.1). OTel is off
// so that Logger prints to this terminal: streamnode accepts the SDK's telemetry and drops it.
const worker = registerWorker(
  process.env.STREAMNODE_WORKER_URL ?? process.env.III_URL ?? "ws://127.0.0.1:49134",
  { workerName: "link", otel: { enabled: false } },
);
const logger = new Logger();

const CHARS = "abcdefghijklmnopqrstuvwxyz0123456789";

function makeCode() {
  let s = "";
  for (let i = 0; i < 6; i++) s += CHARS[Math.floor(Math.random() * CHARS.length)];
  return s;
}

// streamnode: links live in the stream `links` (group `all`, one item per code) where the
// tutorial keeps them in `state` (scope `links`) and the `database` worker's `links` table.
worker.registerFunction("link::create", async (payload) => {
  const code = payload.code ?? makeCode();
  // Store an absolute URL so the redirect's Location header is absolute, not
  // resolved relative to /s/:code.
  const url = /^https?:\/\//i.test(payload.url) ? payload.url : `https://${payload.url}`;
  await worker.trigger({
    function_id: "stream::set",
    payload: { stream_name: "links", group_id: "all", item_id: code, data: { url } },
  });
  await worker.trigger({
    function_id: "publish",
    payload: { topic: "link.created", data: { code, url } },
  });
  logger.info("link created", { code, url });
  return { code, url };
});

worker.registerFunction("link::resolve", async (payload) => {
  const stored = await worker.trigger({
    function_id: "stream::get",
    payload: { stream_name: "links", group_id: "all", item_id: payload.code },
  });
  logger.info("link resolved", { code: payload.code, found: !!stored?.url });
  return { url: stored?.url ?? null };
});

worker.registerFunction("link::record_click", async (payload) => {
  // streamnode: the tutorial first inserts a row into the `clicks` table with
  // `database::execute`; streamnode has no database worker, the `clicks` stream is the record.
  worker.trigger({
    function_id: "publish",
    payload: { topic: "link.clicked", data: payload },
    action: TriggerAction.Void(),
  });
  return { recorded: true };
});

worker.registerFunction("http::create", async (req) => {
  const { url, code } = req.body ?? {};
  if (!url) {
    return {
      status_code: 400,
      body: { error: 'missing "url"' },
      headers: { "Content-Type": "application/json" },
    };
  }
  const link = await worker.trigger({
    function_id: "link::create",
    payload: { url, code },
  });
  return {
    status_code: 201,
    body: link,
    headers: { "Content-Type": "application/json" },
  };
});

worker.registerTrigger({
  type: "http",
  function_id: "http::create",
  config: { api_path: "/links", http_method: "POST" },
});

worker.registerFunction("http::redirect", async (req) => {
  const code = req.path_params.code;
  const { url } = await worker.trigger({
    function_id: "link::resolve",
    payload: { code },
  });
  if (!url) {
    return {
      status_code: 404,
      body: { error: "link not found" },
      headers: { "Content-Type": "application/json" },
    };
  }
  // streamnode: called directly as in Ch. 3; Ch. 4 adds
  // `action: TriggerAction.Enqueue({ queue: "clicks" })`, and streamnode has no queue worker.
  await worker.trigger({
    function_id: "link::record_click",
    payload: { code, clicked_at: new Date().toISOString() },
  });
  return { status_code: 302, headers: { Location: url } };
});

worker.registerTrigger({
  type: "http",
  function_id: "http::redirect",
  config: { api_path: "/s/:code", http_method: "GET" },
});

logger.info("link worker ready");

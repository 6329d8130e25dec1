// The `click-streamer` worker of iii's Linkly tutorial (click-streamer/src/index.ts, Ch. 5,
// "Stream live clicks"), run against streamnode. Only the connection line differs.
import { registerWorker } from "iii-sdk";
import { Logger } from "@iii-dev/helpers/observability";

// streamnode: the URL also comes from STREAMNODE_WORKER_URL, and the default names 127.0.0.1
// (Node resolves `localhost` to ::1 first, and streamnode listens on 127.0.0.1). OTel is off
// so that Logger prints to this terminal: streamnode accepts the SDK's telemetry and drops it.
const worker = registerWorker(
  process.env.STREAMNODE_WORKER_URL ?? process.env.III_URL ?? "ws://127.0.0.1:49134",
  { workerName: "click-streamer", otel: { enabled: false } },
);
const logger = new Logger();

worker.registerFunction(
  "click-streamer::broadcast",
  async (data) => {
    await worker.trigger({
      function_id: "stream::set",
      payload: {
        stream_name: "clicks",
        group_id: "all",
        item_id: `${data.code}-${data.clicked_at}`,
        data,
      },
    });
    return { streamed: true };
  },
);

worker.registerTrigger({
  type: "subscribe",
  function_id: "click-streamer::broadcast",
  config: { topic: "link.clicked" },
});

logger.info("click-streamer ready");

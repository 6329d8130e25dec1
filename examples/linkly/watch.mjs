// Prints the live `clicks` stream from streamnode's stream socket, as the tutorial's Ch. 7 page
// shows it: a snapshot on join, then one line per click the moment click-streamer stores it.
// Speaks the stream socket's join protocol directly; no SDK needed.
import WebSocket from "ws";

const STREAM_URL = process.env.STREAMNODE_STREAM_URL ?? "ws://127.0.0.1:3112";
const [stream = "clicks", group = "all"] = process.argv.slice(2);

let clicks = 0;
const print = (click) => console.log(`click #${++clicks}: ${click.code} at ${click.clicked_at}`);

function connect() {
  const ws = new WebSocket(STREAM_URL);
  ws.on("open", () => {
    console.log(`joined ${stream}/${group} on ${STREAM_URL}`);
    clicks = 0;
    ws.send(JSON.stringify({ type: "join", data: { subscriptionId: "watch", streamName: stream, groupId: group } }));
  });
  ws.on("message", (raw) => {
    const { id, event } = JSON.parse(raw.toString());
    if (event.type === "sync") {
      console.log(`${event.data.length} click(s) so far`);
      event.data.forEach(print);
    } else if (event.type === "create") {
      print(event.data);
    } else {
      console.log(`${event.type} ${id ?? ""}`);
    }
  });
  ws.on("error", (err) => console.error(`stream socket: ${err.message}`));
  // The node restarted or is not up yet: try again, as a browser page would on reload.
  ws.on("close", () => setTimeout(connect, 1000));
}

connect();

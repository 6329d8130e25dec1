package io.streamnode.bench.publish;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;

/**
 * How the load generator writes to a server. Every server under test accepts the HTTP function
 * API shape ({@link HttpFunctionPublisher}); streamnode also takes calls over its worker socket
 * (iii worker protocol, {@link WorkerSocketPublisher}).
 */
public interface Publisher {

  /** Calls a function with an encoded JSON input; completes when the server has answered it. */
  Future<Void> call(String functionId, Buffer input);

  /** {@code stream::set}: replaces the item's value with {@code data} (encoded JSON). */
  default Future<Void> set(String stream, String group, String item, Buffer data) {
    // Built by hand: the value is already encoded and goes in as it is.
    Buffer input = Buffer.buffer(data.length() + 96)
        .appendString("{\"stream_name\":").appendString(Json.encode(stream))
        .appendString(",\"group_id\":").appendString(Json.encode(group))
        .appendString(",\"item_id\":").appendString(Json.encode(item))
        .appendString(",\"data\":").appendBuffer(data).appendString("}");
    return call("stream::set", input);
  }

  /** {@code stream::update}: one {@code set} op of {@code path} to {@code value} (encoded JSON). */
  default Future<Void> update(String stream, String group, String item, String path, Buffer value) {
    Buffer input = Buffer.buffer(value.length() + 128)
        .appendString("{\"stream_name\":").appendString(Json.encode(stream))
        .appendString(",\"group_id\":").appendString(Json.encode(group))
        .appendString(",\"item_id\":").appendString(Json.encode(item))
        .appendString(",\"ops\":[{\"type\":\"set\",\"path\":").appendString(Json.encode(path))
        .appendString(",\"value\":").appendBuffer(value).appendString("}]}");
    return call("stream::update", input);
  }

  Future<Void> close();
}

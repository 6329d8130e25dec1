package io.streamnode.bench.publish;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;

/**
 * A publisher that writes through iii's stream functions ({@code stream::set},
 * {@code stream::update}) called by id with a JSON input; the subclass says how a call travels
 * (HTTP function API or worker socket).
 */
public abstract class FunctionCallPublisher implements Publisher {

  /** Calls a function with an encoded JSON input; completes when the server has answered it. */
  public abstract Future<Void> call(String functionId, Buffer input);

  @Override
  public Future<Void> set(String stream, String group, String item, Buffer data) {
    // Built by hand: the value is already encoded and goes in as it is.
    Buffer input = Buffer.buffer(data.length() + 96)
        .appendString("{\"stream_name\":").appendString(Json.encode(stream))
        .appendString(",\"group_id\":").appendString(Json.encode(group))
        .appendString(",\"item_id\":").appendString(Json.encode(item))
        .appendString(",\"data\":").appendBuffer(data).appendString("}");
    return call("stream::set", input);
  }

  @Override
  public Future<Void> update(String stream, String group, String item, String path, Buffer value) {
    Buffer input = Buffer.buffer(value.length() + 128)
        .appendString("{\"stream_name\":").appendString(Json.encode(stream))
        .appendString(",\"group_id\":").appendString(Json.encode(group))
        .appendString(",\"item_id\":").appendString(Json.encode(item))
        .appendString(",\"ops\":[{\"type\":\"set\",\"path\":").appendString(Json.encode(path))
        .appendString(",\"value\":").appendBuffer(value).appendString("}]}");
    return call("stream::update", input);
  }
}

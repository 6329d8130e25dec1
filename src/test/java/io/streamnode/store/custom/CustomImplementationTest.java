package io.streamnode.store.custom;

import io.streamnode.StreamNode;
import io.streamnode.api.Worker;
import io.streamnode.function.FunctionException;
import io.streamnode.function.FunctionHandler;
import io.streamnode.function.FunctionResult;
import io.streamnode.testing.MapStream;
import io.streamnode.testing.RecordingFunction;
import io.streamnode.testing.TestNodes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Timeout;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Custom per-stream implementations registered through the Java API (WIRE.md 2.9, iii's
 * {@code stream.rs}): {@code stream::<op>(<stream_name>)} takes over that op of that stream from
 * the storage adapter, receives iii's input, and its answer becomes the built-in function's
 * answer with iii's shapes, codes and messages.
 */
@ExtendWith(VertxExtension.class)
// JUnit's own timeout: Vert.x's @Timeout only bounds tests that take a VertxTestContext.
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class CustomImplementationTest {

  /** Every blocking wait is bounded: a frame that never comes fails the test instead of hanging the build. */
  private static final long WAIT_S = 10;

  private StreamNode node;
  private Worker caller;
  private Worker implementation;
  private Vertx vertx;

  @BeforeEach
  void start(Vertx vertx) {
    this.vertx = vertx;
    node = TestNodes.start(vertx).timeout(WAIT_S, SECONDS).await();
    caller = Worker.create(vertx);
    implementation = Worker.create(vertx);
  }

  @AfterEach
  void stop() {
    implementation.close().timeout(WAIT_S, SECONDS).await();
    node.close().timeout(WAIT_S, SECONDS).await();
  }

  private FunctionResult call(String functionId, JsonObject input) {
    return caller.call(functionId, input).timeout(WAIT_S, SECONDS).await();
  }

  private FunctionException failure(String functionId, JsonObject input) {
    return assertThrows(FunctionException.class, () -> caller.call(functionId, input).timeout(WAIT_S, SECONDS).await());
  }

  private static JsonObject item(String stream, String item) {
    return new JsonObject().put("stream_name", stream).put("group_id", "g").put("item_id", item);
  }

  /** Registers {@code functionId} answering whatever {@code answer} holds at call time. */
  private RecordingFunction answering(String functionId, AtomicReference<FunctionHandler> answer) {
    return RecordingFunction.register(implementation, functionId, input -> answer.get().handle(input)).timeout(WAIT_S, SECONDS).await();
  }

  private static FunctionHandler returns(Object value) {
    return input -> Future.succeededFuture(FunctionResult.of(value));
  }

  @Test
  void eachOfTheSixFunctionsCallsItsCustomImplementationWithIiisInputAndAnswersWithIt() {
    // The answers of iii's test_stream_custom_functions_override_adapter.
    RecordingFunction get = RecordingFunction.register(implementation, "stream::get(custom)",
        returns(new JsonObject().put("from", "custom-get"))).timeout(WAIT_S, SECONDS).await();
    RecordingFunction list = RecordingFunction.register(implementation, "stream::list(custom)",
        returns(new JsonArray().add(new JsonObject().put("from", "custom-list")))).timeout(WAIT_S, SECONDS).await();
    RecordingFunction listGroups = RecordingFunction.register(implementation, "stream::list_groups(custom)",
        returns(new JsonArray().add("alpha").add("beta"))).timeout(WAIT_S, SECONDS).await();
    RecordingFunction set = RecordingFunction.register(implementation, "stream::set(custom)",
        returns(new JsonObject("{\"old_value\":null,\"new_value\":{\"from\":\"custom-set\"}}"))).timeout(WAIT_S, SECONDS).await();
    RecordingFunction delete = RecordingFunction.register(implementation, "stream::delete(custom)",
        returns(new JsonObject("{\"old_value\":{\"from\":\"custom-delete\"}}"))).timeout(WAIT_S, SECONDS).await();
    RecordingFunction update = RecordingFunction.register(implementation, "stream::update(custom)",
        returns(new JsonObject("{\"old_value\":{\"count\":1},\"new_value\":{\"count\":2}}"))).timeout(WAIT_S, SECONDS).await();

    // What a worker's call carries besides the input (iii adds it too) is not passed on.
    String caller = "\"_caller_worker_id\":\"w-1\"";
    assertEquals(new JsonObject().put("from", "custom-get"), call("stream::get",
        new JsonObject("{\"stream_name\":\"custom\",\"group_id\":\"g\",\"item_id\":\"i\"," + caller + "}")).value());
    assertEquals(new JsonArray("[{\"from\":\"custom-list\"}]"), call("stream::list",
        new JsonObject("{\"stream_name\":\"custom\",\"group_id\":\"g\"," + caller + "}")).value());
    assertEquals(new JsonArray("[\"alpha\",\"beta\"]"), call("stream::list_groups",
        new JsonObject("{\"stream_name\":\"custom\"," + caller + "}")).value());
    assertEquals("{\"old_value\":null,\"new_value\":{\"from\":\"custom-set\"}}", encode(call("stream::set",
        new JsonObject("{\"stream_name\":\"custom\",\"group_id\":\"g\",\"item_id\":\"i\",\"data\":{\"ignored\":true},"
            + caller + "}"))));
    assertEquals("{\"old_value\":{\"from\":\"custom-delete\"}}", encode(call("stream::delete",
        new JsonObject("{\"stream_name\":\"custom\",\"group_id\":\"g\",\"item_id\":\"i\"," + caller + "}"))));
    assertEquals("{\"old_value\":{\"count\":1},\"new_value\":{\"count\":2}}", encode(call("stream::update",
        new JsonObject("{\"stream_name\":\"custom\",\"group_id\":\"g\",\"item_id\":\"i\","
            + "\"ops\":[{\"type\":\"set\",\"path\":\"\",\"value\":{\"count\":2}}]," + caller + "}"))));

    assertEquals("{\"stream_name\":\"custom\",\"group_id\":\"g\",\"item_id\":\"i\"}", only(get));
    assertEquals("{\"stream_name\":\"custom\",\"group_id\":\"g\"}", only(list));
    assertEquals("{\"stream_name\":\"custom\"}", only(listGroups));
    assertEquals("{\"stream_name\":\"custom\",\"group_id\":\"g\",\"item_id\":\"i\",\"data\":{\"ignored\":true}}", only(set));
    assertEquals("{\"stream_name\":\"custom\",\"group_id\":\"g\",\"item_id\":\"i\"}", only(delete));
    assertEquals("{\"stream_name\":\"custom\",\"group_id\":\"g\",\"item_id\":\"i\","
        + "\"ops\":[{\"type\":\"set\",\"path\":\"\",\"value\":{\"count\":2}}]}", only(update));

    JsonObject all = (JsonObject) call("stream::list_all", new JsonObject()).value();
    assertEquals(0, all.getInteger("count"), "the adapter was never written: " + all);
  }

  @Test
  void updateOpsReachTheCustomImplementationAsIiiReserializesThem() {
    RecordingFunction update = RecordingFunction.register(implementation, "stream::update(custom)",
        returns(new JsonObject().put("new_value", 1))).timeout(WAIT_S, SECONDS).await();
    call("stream::update", item("custom", "i").put("ops", new JsonArray("["
        + "{\"type\":\"set\",\"path\":\"a\"},"
        + "{\"path\":[\"x\",\"y\"],\"type\":\"merge\",\"value\":{\"k\":1},\"unknown\":true},"
        + "{\"type\":\"merge\",\"path\":\"\",\"value\":{}},"
        + "{\"type\":\"append\",\"path\":null,\"value\":2},"
        + "{\"type\":\"increment\",\"path\":\"n\",\"by\":1},"
        + "[\"decrement\",\"n\",2],"
        + "{\"type\":\"remove\",\"path\":\"z\"}]")));
    assertEquals("[{\"type\":\"set\",\"path\":\"a\",\"value\":null},"
        + "{\"type\":\"merge\",\"path\":[\"x\",\"y\"],\"value\":{\"k\":1}},"
        + "{\"type\":\"merge\",\"path\":\"\",\"value\":{}},"
        + "{\"type\":\"append\",\"value\":2},"
        + "{\"type\":\"increment\",\"path\":\"n\",\"by\":1},"
        + "{\"type\":\"decrement\",\"path\":\"n\",\"by\":2},"
        + "{\"type\":\"remove\",\"path\":\"z\"}]",
        ((JsonObject) update.inputs().get(0)).getJsonArray("ops").encode());

    // A bad op is a bad input: refused before the custom implementation is called.
    FunctionException bad = failure("stream::update", item("custom", "i")
        .put("ops", new JsonArray().add(new JsonObject().put("type", "rename"))));
    assertEquals("deserialization_error", bad.code());
    assertEquals(1, update.inputs().size());
  }

  @Test
  void writeResultsAreReadAsIiisOutputShapesAndAnsweredInThem() {
    AtomicReference<FunctionHandler> answer = new AtomicReference<>();
    answering("stream::set(custom)", answer);
    answering("stream::update(custom)", answer);
    answering("stream::delete(custom)", answer);

    answer.set(returns(new JsonObject("{\"new_value\":5,\"extra\":true}")));
    assertEquals("{\"old_value\":null,\"new_value\":5}", encode(call("stream::set", item("custom", "i").put("data", 1))));
    answer.set(returns(new JsonArray("[{\"a\":1},[2]]")));
    assertEquals("{\"old_value\":{\"a\":1},\"new_value\":[2]}", encode(call("stream::set", item("custom", "i").put("data", 1))));
    answer.set(returns(new JsonObject("{\"new_value\":null,\"old_value\":0}")));
    assertEquals("{\"old_value\":0,\"new_value\":null}", encode(call("stream::set", item("custom", "i").put("data", 1))));

    answer.set(returns(new JsonObject("{\"new_value\":{},\"old_value\":null,\"errors\":["
        + "{\"message\":\"m\",\"op_index\":0,\"code\":\"c\",\"doc_url\":null,\"x\":1},"
        + "[3,\"d\",\"n\",\"https://iii.dev\"]]}")));
    assertEquals("{\"old_value\":null,\"new_value\":{},\"errors\":[{\"op_index\":0,\"code\":\"c\",\"message\":\"m\"},"
        + "{\"op_index\":3,\"code\":\"d\",\"message\":\"n\",\"doc_url\":\"https://iii.dev\"}]}",
        encode(call("stream::update", item("custom", "i").put("ops", new JsonArray()))));
    answer.set(returns(new JsonObject("{\"new_value\":1,\"errors\":[]}")));
    assertEquals("{\"old_value\":null,\"new_value\":1}",
        encode(call("stream::update", item("custom", "i").put("ops", new JsonArray()))));

    answer.set(returns(new JsonObject()));
    assertEquals("{\"old_value\":null}", encode(call("stream::delete", item("custom", "i"))));
  }

  @Test
  void aResultThatIsNotTheOutputShapeFailsWithJsonError() {
    AtomicReference<FunctionHandler> answer = new AtomicReference<>();
    answering("stream::set(custom)", answer);
    answering("stream::update(custom)", answer);
    answering("stream::delete(custom)", answer);
    JsonObject set = item("custom", "i").put("data", 1);
    JsonObject update = item("custom", "i").put("ops", new JsonArray());
    JsonObject delete = item("custom", "i");

    assertJsonError("invalid type: string \"x\", expected struct StreamSetResult", "stream::set", set, "x", answer);
    assertJsonError("missing field `new_value`", "stream::set", set, new JsonObject().put("old_value", 1), answer);
    assertJsonError("invalid length 1, expected struct StreamSetResult with 2 elements", "stream::set", set,
        new JsonArray().add(1), answer);
    assertJsonError("invalid length 3, expected fewer elements in array", "stream::set", set,
        new JsonArray().add(1).add(2).add(3), answer);
    assertJsonError("invalid type: integer `7`, expected struct StreamDeleteResult", "stream::delete", delete, 7, answer);
    assertJsonError("invalid type: boolean `true`, expected struct StreamUpdateResult", "stream::update", update, true,
        answer);
    assertJsonError("invalid type: map, expected a sequence", "stream::update", update,
        new JsonObject("{\"new_value\":1,\"errors\":{}}"), answer);
    assertJsonError("invalid value: integer `-1`, expected usize", "stream::update", update,
        new JsonObject("{\"new_value\":1,\"errors\":[{\"op_index\":-1,\"code\":\"c\",\"message\":\"m\"}]}"), answer);
    assertJsonError("missing field `message`", "stream::update", update,
        new JsonObject("{\"new_value\":1,\"errors\":[{\"op_index\":0,\"code\":\"c\"}]}"), answer);
    // iii's maps iterate in key order: of two bad fields, the first in key order is reported
    // (`code` here, though `op_index` is declared first).
    assertJsonError("invalid type: integer `2`, expected a string", "stream::update", update,
        new JsonObject("{\"new_value\":1,\"errors\":[{\"op_index\":1.5,\"message\":\"m\",\"code\":2}]}"), answer);
    assertJsonError("invalid type: floating point `1.5`, expected usize", "stream::update", update,
        new JsonObject("{\"new_value\":1,\"errors\":[{\"op_index\":1.5,\"message\":\"m\",\"code\":\"c\"}]}"), answer);
  }

  private void assertJsonError(String why, String functionId, JsonObject input, Object result,
                               AtomicReference<FunctionHandler> answer) {
    answer.set(returns(result));
    FunctionException error = failure(functionId, input);
    assertEquals("JSON_ERROR", error.code(), error.getMessage());
    assertEquals("Failed to convert result to value: " + why, error.getMessage());
  }

  @Test
  void noResultOrAFailedCallFailsAWriteWithItsOwnCodeAndIiisMessage() {
    AtomicReference<FunctionHandler> answer = new AtomicReference<>();
    answering("stream::set(custom)", answer);
    answering("stream::update(custom)", answer);
    answering("stream::delete(custom)", answer);

    answer.set(input -> Future.succeededFuture(FunctionResult.NONE));
    FunctionException none = failure("stream::set", item("custom", "i").put("data", 1));
    assertEquals("STREAM_SET_ERROR", none.code());
    assertEquals("Failed to set value: Function returned no result", none.getMessage());
    answer.set(input -> Future.succeededFuture(FunctionResult.NULL));
    FunctionException nul = failure("stream::update", item("custom", "i").put("ops", new JsonArray()));
    assertEquals("STREAM_UPDATE_ERROR", nul.code());
    assertEquals("Failed to update value: Function returned no result", nul.getMessage());

    answer.set(input -> Future.failedFuture(new FunctionException("E_CUSTOM", "boom \"quoted\"\nline", 500)));
    FunctionException failed = failure("stream::delete", item("custom", "i"));
    assertEquals("STREAM_DELETE_ERROR", failed.code());
    assertEquals("Failed to delete value: Failed to invoke function: ErrorBody { code: \"E_CUSTOM\", "
        + "message: \"boom \\\"quoted\\\"\\nline\", stacktrace: None }", failed.getMessage());
  }

  @Test
  void readsPassTheCustomAnswerThroughAsItIsErrorsIncluded() {
    AtomicReference<FunctionHandler> answer = new AtomicReference<>();
    answering("stream::get(custom)", answer);
    answering("stream::list(custom)", answer);
    answering("stream::list_groups(custom)", answer);

    answer.set(input -> Future.succeededFuture(FunctionResult.NONE));
    assertFalse(call("stream::get", item("custom", "i")).present(), "no result stays no result");
    answer.set(returns(new JsonObject().put("not", "an array")));
    assertEquals(new JsonObject().put("not", "an array"),
        call("stream::list", new JsonObject().put("stream_name", "custom").put("group_id", "g")).value());
    answer.set(input -> Future.failedFuture(new FunctionException("E_LIST", "no groups today", 500)));
    FunctionException error = failure("stream::list_groups", new JsonObject().put("stream_name", "custom"));
    assertEquals("E_LIST", error.code());
    assertEquals("no groups today", error.getMessage());
  }

  @Test
  void listAllAndSendAreNeverDelegated() {
    MapStream custom = MapStream.register(implementation, "custom").timeout(WAIT_S, SECONDS).await();
    RecordingFunction send = RecordingFunction.register(implementation, "stream::send(custom)").timeout(WAIT_S, SECONDS).await();
    call("stream::set", item("custom", "i").put("data", 1));
    call("stream::set", item("plain", "i").put("data", 2));

    JsonObject all = (JsonObject) call("stream::list_all", new JsonObject()).value();
    assertEquals(new JsonObject("{\"stream\":[{\"id\":\"plain\",\"groups\":[\"g\"]}],\"count\":1}"), all,
        "list_all reads the adapter only");
    assertEquals(FunctionResult.NULL, call("stream::send", new JsonObject().put("stream_name", "custom")
        .put("group_id", "g").put("type", "ping").put("data", 1)));
    assertTrue(send.inputs().isEmpty(), "stream::send(custom) is not called: " + send.inputs());
    assertEquals(List.of("set"), custom.calls().stream().map(c -> c.getString("op")).toList());
  }

  @Test
  void unregisteringTheCustomImplementationFallsBackToTheAdapter() {
    MapStream.register(implementation, "custom", List.of("set")).timeout(WAIT_S, SECONDS).await();
    assertEquals("{\"old_value\":null,\"new_value\":\"custom\"}",
        encode(call("stream::set", item("custom", "i").put("data", "custom"))));
    assertFalse(call("stream::get", item("custom", "i")).present(), "the delegated set did not reach the adapter");

    implementation.unregisterFunction("stream::set(custom)").timeout(WAIT_S, SECONDS).await();
    assertEquals("{\"old_value\":null,\"new_value\":\"stored\"}",
        encode(call("stream::set", item("custom", "i").put("data", "stored"))));
    assertEquals("stored", call("stream::get", item("custom", "i")).value());
  }

  @Test
  void onlyTheOpsAndTheStreamWithACustomImplementationAreDelegated() {
    MapStream custom = MapStream.register(implementation, "custom", List.of("get")).timeout(WAIT_S, SECONDS).await()
        .seed("g", "i", "from custom");
    call("stream::set", item("custom", "i").put("data", "from adapter"));
    call("stream::set", item("plain", "i").put("data", "plain"));
    assertEquals("from custom", call("stream::get", item("custom", "i")).value());
    assertEquals("plain", call("stream::get", item("plain", "i")).value());
    assertEquals(new JsonArray().add("from adapter"),
        call("stream::list", new JsonObject().put("stream_name", "custom").put("group_id", "g")).value());
    assertEquals(List.of("get"), custom.calls().stream().map(c -> c.getString("op")).toList());
  }

  @Test
  void aRegistrationWhoseFunctionIsGoneFallsBackToTheAdapter() {
    // The store may hear of an unregistration after a call: the call then finds no handler and
    // uses the adapter rather than failing.
    CustomImplementations.registered(vertx, "stream::set(ghost)").timeout(WAIT_S, SECONDS).await();
    assertEquals("{\"old_value\":null,\"new_value\":1}", encode(call("stream::set", item("ghost", "i").put("data", 1))));
    assertEquals(1, call("stream::get", item("ghost", "i")).value());
  }

  private static String only(RecordingFunction f) {
    assertEquals(1, f.inputs().size(), f.inputs().toString());
    return assertInstanceOf(JsonObject.class, f.inputs().get(0)).encode();
  }

  private static String encode(FunctionResult result) {
    return assertInstanceOf(JsonObject.class, result.value()).encode();
  }
}

package io.streamnode.store;

import io.streamnode.StreamNode;
import io.streamnode.api.Worker;
import io.streamnode.config.NodeOptions;
import io.streamnode.testing.TestNodes;
import io.streamnode.function.FunctionException;
import io.streamnode.function.FunctionResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The eight stream::* functions, called over the event bus, answer with iii's exact JSON. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
class StreamFunctionsTest {

  private Worker worker;

  @BeforeEach
  void startNode(Vertx vertx, VertxTestContext ctx) {
    NodeOptions options = TestNodes.options();
    options.getStreamSocket().setPort(0);
    options.getHttpApi().setEnabled(false);
    StreamNode.start(vertx, options).onComplete(ctx.succeeding(node -> {
      worker = Worker.create(vertx);
      ctx.completeNow();
    }));
  }

  private Future<FunctionResult> call(String fn, String json) {
    return worker.call(fn, new JsonObject(json));
  }

  private static JsonObject item(String item) {
    return new JsonObject().put("stream_name", "orders").put("group_id", "g1").put("item_id", item);
  }

  @Test
  void setReturnsNullOldValueForANewItemThenThePreviousValue(VertxTestContext ctx) {
    call("stream::set", "{\"stream_name\":\"orders\",\"group_id\":\"g1\",\"item_id\":\"a\",\"data\":{\"n\":1}}")
        .compose(first -> {
          ctx.verify(() -> assertEquals(new JsonObject("{\"old_value\":null,\"new_value\":{\"n\":1}}"), first.value()));
          return call("stream::set", "{\"stream_name\":\"orders\",\"group_id\":\"g1\",\"item_id\":\"a\",\"data\":[2]}");
        })
        .onComplete(ctx.succeeding(second -> ctx.verify(() -> {
          assertEquals(new JsonObject("{\"old_value\":{\"n\":1},\"new_value\":[2]}"), second.value());
          assertEquals("{\"old_value\":{\"n\":1},\"new_value\":[2]}", ((JsonObject) second.value()).encode());
          ctx.completeNow();
        })));
  }

  @Test
  void setStoresAJsonNullAsAValueDistinctFromMissing(VertxTestContext ctx) {
    worker.call("stream::set", item("n").put("data", (Object) null))
        .compose(r -> worker.call("stream::get", item("n")))
        .compose(present -> {
          ctx.verify(() -> assertEquals(FunctionResult.NULL, present));
          return worker.call("stream::get", item("missing"));
        })
        .onComplete(ctx.succeeding(missing -> ctx.verify(() -> {
          assertFalse(missing.present(), "a missing item has no result at all");
          ctx.completeNow();
        })));
  }

  @Test
  void getReturnsTheBareStoredValue(VertxTestContext ctx) {
    worker.call("stream::set", item("a").put("data", "hello"))
        .compose(r -> worker.call("stream::get", item("a")))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(FunctionResult.of("hello"), r);
          ctx.completeNow();
        })));
  }

  @Test
  void deleteReturnsTheOldValueAndNullForAMissingItem(VertxTestContext ctx) {
    worker.call("stream::set", item("a").put("data", 5))
        .compose(r -> worker.call("stream::delete", item("a")))
        .compose(first -> {
          ctx.verify(() -> assertEquals(new JsonObject().put("old_value", 5), first.value()));
          return worker.call("stream::delete", item("a"));
        })
        .onComplete(ctx.succeeding(second -> ctx.verify(() -> {
          assertEquals("{\"old_value\":null}", ((JsonObject) second.value()).encode());
          ctx.completeNow();
        })));
  }

  @Test
  void listReturnsValuesInInsertionOrderAndAnOverwriteKeepsItsPlace(VertxTestContext ctx) {
    worker.call("stream::set", item("b").put("data", "B"))
        .compose(r -> worker.call("stream::set", item("a").put("data", "A")))
        .compose(r -> worker.call("stream::set", item("c").put("data", "C")))
        .compose(r -> worker.call("stream::set", item("b").put("data", "B2")))
        .compose(r -> worker.call("stream::list", new JsonObject().put("stream_name", "orders").put("group_id", "g1")))
        .compose(list -> {
          ctx.verify(() -> assertEquals(new JsonArray("[\"B2\",\"A\",\"C\"]"), list.value()));
          return worker.call("stream::list", new JsonObject().put("stream_name", "orders").put("group_id", "nope"));
        })
        .onComplete(ctx.succeeding(empty -> ctx.verify(() -> {
          assertEquals(new JsonArray(), empty.value());
          ctx.completeNow();
        })));
  }

  @Test
  void listGroupsAndListAllDescribeWhatIsStored(VertxTestContext ctx) {
    JsonObject base = new JsonObject().put("item_id", "x").put("data", 1);
    worker.call("stream::set", base.copy().put("stream_name", "b").put("group_id", "g2"))
        .compose(r -> worker.call("stream::set", base.copy().put("stream_name", "b").put("group_id", "g1")))
        .compose(r -> worker.call("stream::set", base.copy().put("stream_name", "a").put("group_id", "g9")))
        .compose(r -> worker.call("stream::list_groups", new JsonObject().put("stream_name", "b")))
        .compose(groups -> {
          ctx.verify(() -> {
            JsonArray g = (JsonArray) groups.value();
            assertEquals(2, g.size());
            assertTrue(g.contains("g1") && g.contains("g2"));
          });
          return worker.call("stream::list_all", new JsonObject());
        })
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          assertEquals(new JsonObject("{\"stream\":[{\"id\":\"a\",\"groups\":[\"g9\"]},"
              + "{\"id\":\"b\",\"groups\":[\"g1\",\"g2\"]}],\"count\":2}"), all.value());
          ctx.completeNow();
        })));
  }

  @Test
  void listGroupsForgetsAGroupWhoseItemsWereAllDeleted(VertxTestContext ctx) {
    worker.call("stream::set", item("a").put("data", 1))
        .compose(r -> worker.call("stream::delete", item("a")))
        .compose(r -> worker.call("stream::list_groups", new JsonObject().put("stream_name", "orders")))
        .onComplete(ctx.succeeding(groups -> ctx.verify(() -> {
          assertEquals(new JsonArray(), groups.value());
          ctx.completeNow();
        })));
  }

  @Test
  void updateOnAMissingItemStartsFromAnEmptyObjectAndReportsOpErrors(VertxTestContext ctx) {
    JsonArray ops = new JsonArray("[{\"type\":\"increment\",\"path\":\"clicks\",\"by\":2},"
        + "{\"type\":\"append\",\"path\":\"clicks\",\"value\":1},"
        + "{\"type\":\"set\",\"path\":\"name\",\"value\":\"x\"}]");
    worker.call("stream::update", item("u").put("ops", ops))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          JsonObject result = (JsonObject) r.value();
          assertEquals(null, result.getValue("old_value"));
          assertTrue(result.containsKey("old_value"));
          assertEquals(new JsonObject("{\"clicks\":2,\"name\":\"x\"}"), result.getJsonObject("new_value"));
          JsonArray errors = result.getJsonArray("errors");
          assertEquals(1, errors.size());
          assertEquals(1, errors.getJsonObject(0).getInteger("op_index"));
          assertEquals("append.type_mismatch", errors.getJsonObject(0).getString("code"));
          ctx.completeNow();
        })));
  }

  @Test
  void updateWithoutOpErrorsOmitsTheErrorsKey(VertxTestContext ctx) {
    worker.call("stream::set", item("u").put("data", new JsonObject().put("n", 1)))
        .compose(r -> worker.call("stream::update", item("u").put("ops",
            new JsonArray("[{\"type\":\"increment\",\"path\":\"n\",\"by\":41}]"))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals("{\"old_value\":{\"n\":1},\"new_value\":{\"n\":42}}", ((JsonObject) r.value()).encode());
          ctx.completeNow();
        })));
  }

  @Test
  void updateWithAnUnknownOpFailsWholeAndAppliesNothing(VertxTestContext ctx) {
    worker.call("stream::set", item("u").put("data", new JsonObject().put("n", 1)))
        .compose(r -> worker.call("stream::update", item("u").put("ops",
            new JsonArray("[{\"type\":\"increment\",\"path\":\"n\",\"by\":1},{\"type\":\"explode\"}]"))))
        .onComplete(ctx.failing(err -> {
          ctx.verify(() -> {
            FunctionException fe = assertInstanceOf(FunctionException.class, err);
            assertEquals("deserialization_error", fe.code());
            assertTrue(fe.getMessage().startsWith("Failed to deserialize input for stream::update: unknown variant `explode`"),
                fe.getMessage());
          });
          worker.call("stream::get", item("u")).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
            assertEquals(new JsonObject().put("n", 1), v.value());
            ctx.completeNow();
          })));
        }));
  }

  @Test
  void sendReturnsANullResultAndStoresNothing(VertxTestContext ctx) {
    worker.call("stream::send", new JsonObject("{\"stream_name\":\"orders\",\"group_id\":\"g1\",\"type\":\"typing\",\"data\":{\"u\":1}}"))
        .compose(r -> {
          ctx.verify(() -> assertEquals(FunctionResult.NULL, r));
          return worker.call("stream::list_all", new JsonObject());
        })
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          assertEquals(new JsonObject("{\"stream\":[],\"count\":0}"), all.value());
          ctx.completeNow();
        })));
  }

  @Test
  void sendWithoutTheDataKeyIsRejectedAsIiiDoes(VertxTestContext ctx) {
    call("stream::send", "{\"stream_name\":\"s\",\"group_id\":\"g\",\"type\":\"t\"}")
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          assertEquals("Failed to deserialize input for stream::send: missing field `data`", err.getMessage());
          ctx.completeNow();
        })));
  }

  @Test
  void aMissingFieldFailsWithIiisDeserializationMessage(VertxTestContext ctx) {
    call("stream::set", "{\"stream_name\":\"s\",\"group_id\":\"g\",\"data\":1}")
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          FunctionException fe = assertInstanceOf(FunctionException.class, err);
          assertEquals("deserialization_error", fe.code());
          assertEquals("Failed to deserialize input for stream::set: missing field `item_id`", fe.getMessage());
          ctx.completeNow();
        })));
  }

  @Test
  void aMistypedFieldFailsWithDeserializationError(VertxTestContext ctx) {
    call("stream::get", "{\"stream_name\":\"s\",\"group_id\":5,\"item_id\":\"i\"}")
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          FunctionException fe = assertInstanceOf(FunctionException.class, err);
          assertEquals("deserialization_error", fe.code());
          assertEquals("Failed to deserialize input for stream::get: invalid type: integer `5`, expected a string",
              fe.getMessage());
          ctx.completeNow();
        })));
  }

  @Test
  void setWithoutTheDataKeyIsRejected(VertxTestContext ctx) {
    call("stream::set", "{\"stream_name\":\"s\",\"group_id\":\"g\",\"item_id\":\"i\"}")
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          assertEquals("Failed to deserialize input for stream::set: missing field `data`", err.getMessage());
          ctx.completeNow();
        })));
  }

  @Test
  void listAllRejectsANonObjectInput(VertxTestContext ctx) {
    worker.call("stream::list_all", null).onComplete(ctx.failing(err -> ctx.verify(() -> {
      assertEquals("deserialization_error", ((FunctionException) err).code());
      ctx.completeNow();
    })));
  }

  @Test
  void anOverlongNameIsRejectedWithInvalidName(VertxTestContext ctx) {
    worker.call("stream::set", item("x".repeat(300)).put("data", 1)).onComplete(ctx.failing(err -> ctx.verify(() -> {
      assertEquals("invalid_name", ((FunctionException) err).code());
      ctx.completeNow();
    })));
  }

  @Test
  void anOversizedItemIsRejectedAndNotStored(VertxTestContext ctx) {
    worker.call("stream::set", item("big").put("data", "x".repeat(600 * 1024)))
        .onComplete(ctx.failing(err -> {
          ctx.verify(() -> assertEquals("payload_too_large", ((FunctionException) err).code()));
          worker.call("stream::get", item("big")).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
            assertFalse(r.present());
            ctx.completeNow();
          })));
        }));
  }

  @Test
  void anUnknownFunctionFailsWithFunctionNotFound(VertxTestContext ctx) {
    worker.call("stream::nope", new JsonObject()).onComplete(ctx.failing(err -> ctx.verify(() -> {
      FunctionException fe = (FunctionException) err;
      assertEquals("function_not_found", fe.code());
      assertEquals("Function stream::nope not found", fe.getMessage());
      ctx.completeNow();
    })));
  }
}

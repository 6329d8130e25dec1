package io.streamnode.function;

import io.streamnode.metrics.NodeMetrics;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Functions over the Vert.x event bus: a function is served at an event-bus address made from
 * its id, its input is the message body, its result the reply. This class holds the conventions
 * in one place:
 * <ul>
 *   <li>function {@code id} lives at {@value #FUNCTION_ADDRESS_PREFIX}{@code id}: the node's own
 *       addresses ({@code streamnode.*}) are outside that namespace, so a caller naming one (over
 *       HTTP, from a worker) finds no handler and gets {@code function_not_found}, exactly as for
 *       any unknown id;</li>
 *   <li>a reply carrying the header {@value #NO_RESULT_HEADER} means "no result";</li>
 *   <li>a failure is a {@link ReplyException} whose code is the HTTP status and whose message
 *       is the wire error {@code {"code":..,"message":..}};</li>
 *   <li>no handler at the address is {@code function_not_found}, no reply in time is {@code timeout}.</li>
 * </ul>
 */
public final class FunctionBus {

  /** Request header naming the function when the address is not the function id. */
  public static final String FUNCTION_HEADER = "sn-function";
  /** Header naming one call across its attempts, so an owner can tell a call sent again from a new one. */
  public static final String CALL_ID_HEADER = "sn-call-id";

  /** Prefix of every function's event-bus address; nothing else is served under it. */
  public static final String FUNCTION_ADDRESS_PREFIX = "fn:";

  /** Reply header that marks "the function returned no result". */
  public static final String NO_RESULT_HEADER = "sn-no-result";

  private static final Logger LOG = Logger.getLogger(FunctionBus.class.getName());

  private final EventBus eventBus;
  private final DeliveryOptions callOptions;
  private final DeliveryOptions noResultReply = new DeliveryOptions().addHeader(NO_RESULT_HEADER, "1");

  /**
   * @param vertx the node's Vert.x
   * @param callTimeoutMs how long a caller waits for a result before failing with {@code timeout}
   */
  public FunctionBus(Vertx vertx, long callTimeoutMs) {
    this.eventBus = vertx.eventBus();
    this.callOptions = new DeliveryOptions().setSendTimeout(callTimeoutMs);
  }

  /** The event-bus address a function is served at. */
  public static String address(String functionId) {
    return FUNCTION_ADDRESS_PREFIX + functionId;
  }

  /** The function id served at a function address (see {@link #address}). */
  public static String functionId(String address) {
    return address.startsWith(FUNCTION_ADDRESS_PREFIX) ? address.substring(FUNCTION_ADDRESS_PREFIX.length()) : address;
  }

  /** Calls a function and waits for its result; fails with a {@link FunctionException}. */
  public Future<FunctionResult> call(String functionId, Object input) {
    return call(address(functionId), functionId, input, callOptions);
  }

  /**
   * Calls a node-internal service (not a function) at its own event-bus address with the
   * function conventions: same result and error mapping, same timeout.
   */
  public Future<FunctionResult> callInternal(String address, Object input) {
    return call(address, address, input, callOptions);
  }

  /**
   * Calls a function served at another address (e.g. one node's store), naming the function in
   * the {@value #FUNCTION_HEADER} header.
   */
  public Future<FunctionResult> callAt(String address, String functionId, Object input) {
    return call(address, functionId, input, new DeliveryOptions(callOptions).addHeader(FUNCTION_HEADER, functionId));
  }

  /** {@link #callAt(String, String, Object)} naming the call ({@value #CALL_ID_HEADER}) for de-duplication. */
  public Future<FunctionResult> callAt(String address, String functionId, Object input, String callId) {
    return callAt(address, functionId, input, callId, callOptions.getSendTimeout());
  }

  /** As {@link #callAt(String, String, Object, String)}, waiting at most {@code timeoutMs} (what is left of a deadline). */
  public Future<FunctionResult> callAt(String address, String functionId, Object input, String callId, long timeoutMs) {
    return call(address, functionId, input, new DeliveryOptions(callOptions).setSendTimeout(Math.max(1, timeoutMs))
        .addHeader(FUNCTION_HEADER, functionId).addHeader(CALL_ID_HEADER, callId));
  }

  /**
   * Calls a function if anything serves it; completes with {@code null}, having called nothing,
   * when no handler is registered at its address (the caller then does without it).
   */
  public Future<FunctionResult> callIfServed(String functionId, Object input) {
    long start = System.nanoTime();
    return eventBus.request(address(functionId), input, callOptions).transform(ar -> {
      if (ar.failed() && ar.cause() instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS
          || discarded(ar, start, callOptions)) {
        return Future.succeededFuture(null);
      }
      return result(functionId, ar);
    });
  }

  private Future<FunctionResult> call(String address, String functionId, Object input, DeliveryOptions options) {
    long start = System.nanoTime();
    return eventBus.request(address, input, options).transform(ar -> {
      if (discarded(ar, start, options)) {
        NodeMetrics.functionCall(functionId, start, NodeMetrics.Outcome.NOT_FOUND);
        return Future.failedFuture(new FunctionException(ErrorCode.FUNCTION_NOT_FOUND,
            "Function " + functionId + " not found: its handler stopped (or dropped the call) before taking it"));
      }
      NodeMetrics.functionCall(functionId, start, outcome(ar));
      return result(functionId, ar);
    });
  }

  /**
   * Vert.x answers a request that reached a consumer in the middle of unregistering (a verticle
   * stopping, a node shutting down) with a {@code TIMEOUT} failure at once ("Discarded the
   * request"): the handler never saw it, so it is reported like a missing handler (which callers
   * may retry elsewhere), not as a timeout whose outcome is unknown. A real timeout comes only
   * after the send timeout has passed.
   */
  private static boolean discarded(AsyncResult<?> ar, long startNanos, DeliveryOptions options) {
    return ar.failed() && ar.cause() instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT
        && System.nanoTime() - startNanos < TimeUnit.MILLISECONDS.toNanos(options.getSendTimeout());
  }

  private static NodeMetrics.Outcome outcome(AsyncResult<Message<Object>> ar) {
    if (ar.succeeded()) {
      return NodeMetrics.Outcome.OK;
    }
    if (ar.cause() instanceof ReplyException re) {
      if (re.failureType() == ReplyFailure.NO_HANDLERS) {
        return NodeMetrics.Outcome.NOT_FOUND;
      }
      if (re.failureType() == ReplyFailure.TIMEOUT) {
        return NodeMetrics.Outcome.TIMEOUT;
      }
    }
    return NodeMetrics.Outcome.ERROR;
  }

  private static Future<FunctionResult> result(String functionId, AsyncResult<Message<Object>> ar) {
    if (ar.succeeded()) {
      Message<Object> reply = ar.result();
      if (reply.headers().contains(NO_RESULT_HEADER)) {
        return Future.succeededFuture(FunctionResult.NONE);
      }
      return Future.succeededFuture(FunctionResult.of(reply.body()));
    }
    return Future.failedFuture(toFunctionException(functionId, ar.cause()));
  }

  /** Calls a function without waiting: the result, and any error, are dropped (iii's void action). */
  public void callVoid(String functionId, Object input) {
    eventBus.send(address(functionId), input);
  }

  /**
   * Serves a function at its address on this node. Failures of the handler reach the caller
   * as wire errors; a handler that throws is caught.
   */
  public MessageConsumer<Object> register(String functionId, FunctionHandler handler) {
    return eventBus.consumer(address(functionId), msg -> serve(msg, handler));
  }

  /** Serves a function to callers on this node only (each node serves its own callers). */
  public MessageConsumer<Object> registerLocal(String functionId, FunctionHandler handler) {
    return eventBus.localConsumer(address(functionId), msg -> serve(msg, handler));
  }

  /**
   * Serves a node-internal service (e.g. the store's snapshot for the stream socket) at its own
   * address, outside the function namespace: callers of functions cannot reach it.
   */
  public MessageConsumer<Object> registerInternal(String address, boolean local, FunctionHandler handler) {
    return local ? eventBus.localConsumer(address, msg -> serve(msg, handler))
        : eventBus.consumer(address, msg -> serve(msg, handler));
  }

  /** Runs a handler for one message and replies with its result or error. */
  public void serve(Message<Object> msg, FunctionHandler handler) {
    Future<FunctionResult> result;
    try {
      result = handler.handle(msg.body());
    } catch (Throwable t) {
      result = Future.failedFuture(t);
    }
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        reply(msg, ar.result());
      } else {
        fail(msg, ar.cause());
      }
    });
  }

  /** Replies to a function call with a result. */
  public void reply(Message<Object> msg, FunctionResult result) {
    if (result == null || !result.present()) {
      msg.reply(null, noResultReply);
    } else {
      msg.reply(result.value());
    }
  }

  /** Replies to a function call with a wire error. */
  public static void fail(Message<?> msg, Throwable cause) {
    FunctionException error = asFunctionException(cause);
    msg.fail(error.status(), error.toJson().encode());
  }

  /** Maps any failure to a wire error; unexpected ones are logged once here. */
  public static FunctionException asFunctionException(Throwable cause) {
    if (cause instanceof FunctionException fe) {
      return fe;
    }
    if (cause instanceof DecodeException) {
      return new FunctionException(ErrorCode.INVALID_JSON, "Invalid JSON: " + cause.getMessage());
    }
    LOG.log(Level.WARNING, "function failed unexpectedly", cause);
    return new FunctionException(ErrorCode.INVOCATION_FAILED, String.valueOf(cause.getMessage()));
  }

  /** Turns an event-bus failure into the wire error a caller should see. */
  public static FunctionException toFunctionException(String functionId, Throwable cause) {
    if (cause instanceof ReplyException re) {
      switch (re.failureType()) {
        case NO_HANDLERS:
          return new FunctionException(ErrorCode.FUNCTION_NOT_FOUND, "Function " + functionId + " not found");
        case TIMEOUT:
          return new FunctionException(ErrorCode.TIMEOUT, "Invocation of " + functionId + " timed out");
        default:
          String text = re.getMessage();
          if (text != null && text.startsWith("{")) {
            try {
              JsonObject err = new JsonObject(text);
              return new FunctionException(err.getString("code", ErrorCode.INVOCATION_FAILED.code()),
                  err.getString("message", ""), re.failureCode() > 0 ? re.failureCode() : 500);
            } catch (DecodeException ignored) {
              // not one of ours: fall through
            }
          }
          return new FunctionException(ErrorCode.INVOCATION_FAILED.code(), String.valueOf(text),
              ErrorCode.INVOCATION_FAILED.httpStatus());
      }
    }
    return asFunctionException(cause);
  }
}

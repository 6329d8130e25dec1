package io.streamnode.worker;

import io.vertx.core.eventbus.Message;

/**
 * A call of a worker's function that the worker has not answered yet.
 *
 * @param call the event-bus message to answer
 * @param functionId the function called
 * @param timerId the timer that fails the call after {@code limits.call_timeout_ms}
 */
record PendingInvocation(Message<Object> call, String functionId, long timerId) {
}

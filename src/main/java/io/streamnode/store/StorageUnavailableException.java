package io.streamnode.store;

/**
 * A storage call failed because the storage cannot be reached (Redis down, connection lost,
 * no answer in time). The storage logs the loss and the recovery once each; the store turns
 * this into the function's error without logging every failed call.
 */
public class StorageUnavailableException extends RuntimeException {

  public StorageUnavailableException(String message) {
    super(message, null, false, false);
  }
}

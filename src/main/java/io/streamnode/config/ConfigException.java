package io.streamnode.config;

/** A configuration problem; the message names the offending key. Start-up stops on it. */
public class ConfigException extends RuntimeException {

  public ConfigException(String message) {
    super(message);
  }
}

package io.streamnode.store;

/**
 * A storage shared by several nodes that also carries the events: each write, the group's next
 * position and the event's publication to every node are one atomic step, so the order in which
 * writes are stored is the order every node delivers them in. Each node republishes the events it
 * receives (its own included) on the local group addresses ({@link StoreAddresses#group}); the
 * store sends the events of its own writes to local trigger dispatch only.
 *
 * <p>Since other nodes write the same groups without going through this node's group owner, a
 * {@code stream::update} is a compare-and-set. Same threading rules as {@link StreamStorage}.
 * Failures to reach the storage are {@link StorageUnavailableException}s.
 */
public interface PublishingStorage extends CompareAndSetStorage {
}

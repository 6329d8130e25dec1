package io.streamnode.store;

/**
 * Which node owns a group: the single place its writes are applied, in order. On one node every
 * group is local; in a cluster the owner is chosen from membership and moves when it changes.
 */
public interface GroupOwnership {

  /** Every group is owned here: a node without a cluster. */
  GroupOwnership SINGLE_NODE = new GroupOwnership() {
    @Override
    public String localNode() {
      return "local";
    }

    @Override
    public String owner(String stream, String group) {
      return "local";
    }
  };

  /** This node's id. */
  String localNode();

  /** The id of the node that owns the group now. */
  String owner(String stream, String group);

  /**
   * Whether a node is still a member: a call sent to one that is not can never be answered. Always
   * true on one node.
   */
  default boolean present(String node) {
    return true;
  }

  /** Whether this node owns the group now. */
  default boolean isLocal(String stream, String group) {
    return localNode().equals(owner(stream, group));
  }
}

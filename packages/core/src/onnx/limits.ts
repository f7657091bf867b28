/**
 * Limits on the size of a user-supplied ONNX graph. An ONNX file is untrusted data: protobuf
 * lets a few bytes declare huge repeated fields, shapes or deeply nested subgraphs, and ONNX
 * Runtime would try to honour them. Real vision networks stay far below every figure (a ViT-L
 * has under 3,000 nodes and 400 initializers); what passes them is refused before a session opens.
 */
export const ONNX_LIMITS = {
  /** Nodes over the main graph and every subgraph together. */
  nodes: 200_000,
  /** Initializers (dense and sparse) over every graph together. */
  initializers: 100_000,
  /** Rank of any tensor or declared shape. */
  rank: 8,
  /** Elements of one initializer. */
  elements: 2 ** 31 - 1,
  /** Subgraphs inside subgraphs (If / Loop / Scan bodies): the main graph is depth 0. */
  depth: 4,
} as const;

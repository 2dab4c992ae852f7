package dev.cosyvoice4j.backend;

/**
 * What a weight is used for, so that a backend can prepare it once at model load ({@link Backend#prepare}): the
 * matrix of a {@link Backend#linear} layer, or anything else (norm weights, biases, embedding tables, convolution
 * kernels), which stays as the file has it.
 */
public enum WeightKind { LINEAR, OTHER }

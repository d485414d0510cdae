// CarinaTensor: Float32 tensors and kernels over OpenBLAS, each with an explicit forward and backward.
//
// Kernels follow one convention (llm.c's): they take raw pointers to row-major buffers whose shapes are written in
// each doc comment, forward passes overwrite their outputs, and backward passes *accumulate* into parameter
// gradients (`+=`) so that several uses of one weight add up. Which input gradients are overwritten and which are
// accumulated is stated per kernel.

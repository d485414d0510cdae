// CarinaTrain: the model configurations, the dual encoder and its objectives, AdamW, the training loop,
// checkpoints and evaluation (ARCHITECTURE.md says where each piece lives).

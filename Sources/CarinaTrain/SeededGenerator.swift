import CarinaCore

/// The trainer's seeded generator (parameter initialisation, probe splits): Carina's one SplitMix64.
public typealias SeededGenerator = SplitMix64

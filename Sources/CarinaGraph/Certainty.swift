/// How sure a report is about an observation: RadGraph's `-DP`, `-U` and `-DA` suffixes, CheXpert's 1, −1 and 0.
public enum Certainty: String, Sendable, Codable, CaseIterable {
    /// Definitely present (`OBS-DP`, CheXpert 1).
    case present
    /// Uncertain (`OBS-U`, CheXpert −1).
    case uncertain
    /// Definitely absent (`OBS-DA`, CheXpert 0).
    case absent

    /// The RadGraph label of an observation with this certainty.
    public var observationLabel: String {
        switch self {
        case .present: "OBS-DP"
        case .uncertain: "OBS-U"
        case .absent: "OBS-DA"
        }
    }

    /// The CheXpert value: 1, −1 or 0.
    public var chexpertValue: Float {
        switch self {
        case .present: 1
        case .uncertain: -1
        case .absent: 0
        }
    }

    /// The certainty of a RadGraph label (`OBS-DP`, `Observation::definitely absent`, …); `nil` for anatomy.
    public init?(label: String) {
        switch label {
        case "OBS-DP", "Observation::definitely present": self = .present
        case "OBS-U", "Observation::uncertain": self = .uncertain
        case "OBS-DA", "Observation::definitely absent": self = .absent
        default: return nil
        }
    }
}

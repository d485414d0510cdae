/// A finding the synthetic generator can put in a study: drawn into the phantom image where the report says it is.
public enum SynthFinding: String, CaseIterable, Sendable, Codable {
    case opacityLeftLower = "opacity-left-lower"
    case opacityRightLower = "opacity-right-lower"
    case opacityRightUpper = "opacity-right-upper"
    case cardiomegaly
    case effusionLeft = "effusion-left"
    case effusionRight = "effusion-right"
    case pneumothoraxRight = "pneumothorax-right"
    case centralLine = "central-line"

    /// How often each finding appears in a study (independently).
    var prevalence: Double {
        switch self {
        case .opacityLeftLower, .opacityRightLower: 0.18
        case .opacityRightUpper: 0.08
        case .cardiomegaly: 0.2
        case .effusionLeft, .effusionRight: 0.14
        case .pneumothoraxRight: 0.07
        case .centralLine: 0.15
        }
    }

    /// The CheXpert-14 column this finding makes positive.
    var chexpertClass: String {
        switch self {
        case .opacityLeftLower, .opacityRightLower, .opacityRightUpper: "Lung Opacity"
        case .cardiomegaly: "Cardiomegaly"
        case .effusionLeft, .effusionRight: "Pleural Effusion"
        case .pneumothoraxRight: "Pneumothorax"
        case .centralLine: "Support Devices"
        }
    }
}

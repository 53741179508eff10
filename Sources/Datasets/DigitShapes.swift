/// The stroke skeletons of the ten digits, in a [0, 1] box with y growing downward.
///
/// Each digit has one to three variants, the way people write them (a 1 with or without a flag, an
/// open or closed 4, a 7 with or without a bar); every control point goes through `Pen.j` so no two
/// samples share a skeleton. Angles are in degrees: 0 points right, 90 down, -90 up.
enum DigitShapes {
    static func strokes(for digit: Int, pen p: inout Pen) {
        switch digit {
        case 0: zero(&p)
        case 1: one(&p)
        case 2: two(&p)
        case 3: three(&p)
        case 4: four(&p)
        case 5: five(&p)
        case 6: six(&p)
        case 7: seven(&p)
        case 8: eight(&p)
        default: nine(&p)
        }
    }

    static func zero(_ p: inout Pen) {
        let center = p.j(0.5, 0.5)
        let start = -90 + 25 * p.generator.gaussian()
        // A closed loop that overshoots its start a little, as a pen does.
        p.arc(center, p.vary(0.27, 0.2), p.vary(0.44, 0.06), from: start, to: start + 360 + p.generator.uniform(0, 30))
    }

    static func one(_ p: inout Pen) {
        let top = p.j(0.53, 0.04)
        let bottom = p.j(0.48, 0.96)
        p.line(top, bottom)
        switch p.variant([0.5, 0.35, 0.15]) {
        case 1:
            p.line(p.j(0.34, 0.22), top)
        case 2:
            p.line(p.j(0.34, 0.22), top)
            p.line(p.j(0.3, 0.96), p.j(0.7, 0.95))
        default:
            break
        }
    }

    static func two(_ p: inout Pen) {
        let center = p.j(0.5, 0.3)
        let top = p.arcPoints(center, p.vary(0.27), p.vary(0.24), from: -165 + 10 * p.generator.gaussian(), to: 25)
        let corner = p.j(0.17, 0.93)
        let end = p.j(0.84, 0.93)
        if p.variant([0.6, 0.4]) == 0 {
            // A curved descent into the base.
            p.add(top + p.bezierPoints(top[top.count - 1], p.j(0.66, 0.62), p.j(0.3, 0.78), corner))
        } else {
            p.add(top + [corner])
        }
        p.line(corner, end)
    }

    static func three(_ p: inout Pen) {
        let upperRadius = p.vary(0.22)
        let lowerRadius = p.vary(0.25)
        let middle = p.j(0.47, 0.48)
        let lowerCenter = (middle.0, middle.1 + lowerRadius)
        var points: [(Float, Float)]
        if p.variant([0.75, 0.25]) == 0 {
            let upperCenter = (middle.0 + 0.02, middle.1 - upperRadius)
            points = p.arcPoints(upperCenter, p.vary(0.25), upperRadius, from: -160, to: 90)
        } else {
            // A flat-topped 3: a bar and a diagonal down to the middle.
            points = [p.j(0.22, 0.05), p.j(0.76, 0.05), middle]
        }
        points += p.arcPoints(lowerCenter, p.vary(0.28), lowerRadius, from: -90, to: 150 + 10 * p.generator.gaussian())
        p.add(points)
    }

    static func four(_ p: inout Pen) {
        let barY: Float = 0.62 + 0.04 * p.generator.gaussian()
        if p.variant([0.55, 0.45]) == 0 {
            // Closed: the diagonal meets the top of the stem.
            let top = p.j(0.64, 0.03)
            let left = p.j(0.13, barY)
            p.line(top, left, p.j(0.86, barY))
            p.line(top, p.j(0.62, 0.97))
        } else {
            // Open: a hook on the left, the stem on its own.
            p.line(p.j(0.24, 0.03), p.j(0.18, barY), p.j(0.86, barY - 0.02))
            p.line(p.j(0.66, 0.2), p.j(0.66, 0.97))
        }
    }

    static func five(_ p: inout Pen) {
        let center = p.j(0.48, 0.67)
        let bowl = p.arcPoints(center, p.vary(0.29), p.vary(0.27), from: -150 + 10 * p.generator.gaussian(), to: 150)
        let corner = p.j(0.32, 0.06)
        p.line(p.j(0.8, 0.05), corner)
        p.add([corner] + bowl)
    }

    static func six(_ p: inout Pen) {
        let center = p.j(0.49, 0.71)
        let rx = p.vary(0.26)
        let ry = p.vary(0.24)
        let loopStart = (center.0 - rx, center.1)
        let stem = p.bezierPoints(p.j(0.72, 0.04), p.j(0.42, 0.12), p.j(0.2, 0.4), loopStart)
        p.add(stem + p.arcPoints(center, rx, ry, from: 180, to: 180 + 360 - p.generator.uniform(0, 40)))
    }

    static func seven(_ p: inout Pen) {
        let left = p.j(0.18, 0.06)
        let corner = p.j(0.82, 0.06)
        switch p.variant([0.5, 0.25, 0.25]) {
        case 1:
            p.line(left, corner, p.j(0.42, 0.97))
            p.line(p.j(0.38, 0.52), p.j(0.78, 0.5))
        case 2:
            p.add([left] + p.bezierPoints(corner, p.j(0.62, 0.4), p.j(0.5, 0.62), p.j(0.46, 0.97)))
        default:
            p.line(left, corner, p.j(0.42, 0.97))
        }
    }

    static func eight(_ p: inout Pen) {
        let upper = p.j(0.5, 0.27)
        let upperRy = p.vary(0.22)
        let lowerRy = p.vary(0.25)
        let lower = (upper.0 + 0.04 * p.generator.gaussian(), upper.1 + upperRy + lowerRy)
        let start = -90 + 20 * p.generator.gaussian()
        p.arc(upper, p.vary(0.21, 0.15), upperRy, from: start, to: start + 360 + p.generator.uniform(0, 20))
        p.arc(lower, p.vary(0.27, 0.15), lowerRy, from: -90, to: 270 + p.generator.uniform(0, 20))
    }

    static func nine(_ p: inout Pen) {
        let center = p.j(0.48, 0.29)
        let rx = p.vary(0.25)
        let ry = p.vary(0.23)
        let joint = (center.0 + rx, center.1)
        p.arc(center, rx, ry, from: 0, to: -360 - p.generator.uniform(0, 30))
        if p.variant([0.6, 0.4]) == 0 {
            p.line(joint, p.j(0.7, 0.97))
        } else {
            p.bezier(joint, p.j(0.75, 0.65), p.j(0.62, 0.95), p.j(0.32, 0.93))
        }
    }
}

import Testing

@testable import TerminalUI

@Suite struct ImageViewTests {
    let checker: [Float] = [1, 0, 0, 1]  // 2x2

    @Test func halfBlocksPutTwoPixelsInACell() {
        let buffer = rendered(ImageView(pixels: checker, width: 2, height: 2), width: 2, height: 1)
        #expect(buffer.line(0) == "▀▀")
        #expect(buffer[0, 0].foreground == .rgb(255, 255, 255))
        #expect(buffer[0, 0].background == .rgb(0, 0, 0))
        #expect(buffer[1, 0].foreground == .rgb(0, 0, 0))
        #expect(buffer[1, 0].background == .rgb(255, 255, 255))
    }

    @Test func integerUpscalingAndCentring() {
        // 2x2 into 7x3 cells (7x6 pixels): scale 3 -> 6x6 pixels = 6 columns x 3 rows, centred.
        let buffer = rendered(ImageView(pixels: checker, width: 2, height: 2), width: 7, height: 3)
        #expect(buffer.lines == ["▀▀▀▀▀▀ ", "▀▀▀▀▀▀ ", "▀▀▀▀▀▀ "])
        #expect(buffer[2, 0].foreground == .rgb(255, 255, 255))
        #expect(buffer[3, 0].foreground == .rgb(0, 0, 0))
        #expect(buffer[0, 1].foreground == .rgb(255, 255, 255))
        #expect(buffer[0, 1].background == .rgb(0, 0, 0))
        #expect(
            ImageView.fittedSize(width: 28, height: 28, pixelWidth: 60, pixelHeight: 60) == (56, 56))
        #expect(
            ImageView.fittedSize(width: 28, height: 28, pixelWidth: 20, pixelHeight: 40) == (20, 20))
    }

    @Test func asciiRampWithoutColour() {
        let gradient: [Float] = [0, 0, 1, 1, 0, 0, 1, 1]  // 4x2
        let buffer = rendered(
            ImageView(pixels: gradient, width: 4, height: 2, mode: .ascii), width: 4, height: 1)
        #expect(buffer.line(0) == "  @@")
        for cell in buffer.cells { #expect(cell.foreground == .default && cell.background == .default) }
    }

    @Test func colormapIsUsed() {
        let buffer = rendered(
            ImageView(pixels: [0, 1], width: 1, height: 2, colormap: .viridis), width: 1, height: 1)
        #expect(buffer[0, 0].foreground == Colormap.viridis.stops.first)
        #expect(buffer[0, 0].background == Colormap.viridis.stops.last)
    }

    @Test func kittyModePlacesAnImage() {
        let buffer = rendered(
            ImageView(
                pixels: [Float](repeating: 0.5, count: 784), width: 28, height: 28,
                mode: .kitty(id: 3)), width: 40, height: 10)
        #expect(buffer.images.count == 1)
        let image = buffer.images[0]
        #expect(image.area == Rect(x: 10, y: 0, width: 20, height: 10))
        #expect(image.rgb.count == 28 * 28 * 3)
        #expect(image.rgb[0] == 128)
        #expect(
            KittyGraphics.transmitAndPlace(image).hasPrefix(
                "\u{1B}_Ga=T,f=24,s=28,v=28,i=3,c=20,r=10,C=1,q=2;"))
        #expect(
            ImageView.Mode.preferred(colorDepth: .trueColor, kittyGraphics: true, id: 1) == .kitty(id: 1))
        #expect(ImageView.Mode.preferred(colorDepth: .none, kittyGraphics: true, id: 1) == .ascii)
        #expect(
            ImageView.Mode.preferred(colorDepth: .palette256, kittyGraphics: false, id: 1) == .halfBlock)
    }

    @Test func largePayloadsAreChunked() {
        let image = ImagePlacement(
            id: 1, area: Rect(x: 0, y: 0, width: 4, height: 4), pixelWidth: 64, pixelHeight: 64,
            rgb: [UInt8](repeating: 9, count: 64 * 64 * 3))
        let command = KittyGraphics.transmitAndPlace(image)
        #expect(command.contains(",m=1;"))
        #expect(command.contains("\u{1B}_Gm=0;"))
    }

    @Test func tinySizesAndBadInput() {
        renderAtTinySizes(ImageView(pixels: checker, width: 2, height: 2))
        renderAtTinySizes(ImageView(pixels: checker, width: 2, height: 2, mode: .ascii))
        renderAtTinySizes(ImageView(pixels: checker, width: 2, height: 2, mode: .kitty(id: 1)))
        renderAtTinySizes(ImageView(pixels: [], width: 0, height: 0))
        renderAtTinySizes(ImageView(pixels: [.nan, .infinity], width: 3, height: 3))
    }

    @Test func overwritingHalfAWideCharacterBlanksTheOtherHalf() {
        var buffer = Buffer(width: 4, height: 1)
        buffer.setString("数数", x: 0, y: 0)
        ImageView(pixels: [1, 1], width: 1, height: 2).render(
            in: Rect(x: 1, y: 0, width: 1, height: 1), buffer: &buffer)
        #expect(buffer.line(0) == " ▀数")
    }
}

@Suite struct HeatmapTests {
    @Test func divergingColoursCentredAtZeroWithLegend() {
        let map = Heatmap(values: [-2, 0, 0, 2], width: 2, height: 2, colormap: .blueRed)
        #expect(map.effectiveLimit == 2)
        let buffer = rendered(map, width: 20, height: 4)
        let legend = buffer.line(3)
        #expect(legend.contains("-2"))
        #expect(legend.contains("+2"))
        #expect(legend.contains("█"))
        // Top-left pixel is the most negative value: the first stop.
        let imageCell = (0..<20).first { buffer[$0, 0].grapheme == "▀" }!
        #expect(buffer[imageCell, 0].foreground == Colormap.blueRed.stops.first)
    }

    @Test func explicitLimitAndMonochrome() {
        let map = Heatmap(values: [0.5, -0.5], width: 2, height: 1, limit: 1, monochrome: true)
        let buffer = rendered(map, width: 16, height: 3)
        #expect(buffer.line(2).contains("-1"))
        for cell in buffer.cells { #expect(cell.foreground == .default) }
    }

    @Test func tinySizes() {
        renderAtTinySizes(Heatmap(values: [1, -1, 0, 0.5], width: 2, height: 2))
        renderAtTinySizes(Heatmap(values: [], width: 3, height: 3))
        renderAtTinySizes(Heatmap(values: [.nan], width: 1, height: 1, monochrome: true))
    }
}

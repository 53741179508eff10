import CZlib

/// Encodes 8-bit grayscale or RGB images as PNG (W3C PNG spec: signature, IHDR, one zlib IDAT, IEND),
/// with no image library: zlib does the deflate, this file the chunks and CRCs.
public enum PNGWriter {
    public enum ColorType: UInt8, Sendable {
        case grayscale = 0
        case rgb = 2
        var channels: Int { self == .grayscale ? 1 : 3 }
    }

    /// PNG bytes for `pixels` (row-major, `width * height * channels` bytes).
    public static func encode(width: Int, height: Int, colorType: ColorType, pixels: [UInt8]) -> [UInt8] {
        precondition(width > 0 && height > 0 && pixels.count == width * height * colorType.channels, "PNG: pixel count does not match the size")
        var raw = [UInt8]()
        raw.reserveCapacity(height * (width * colorType.channels + 1))
        let rowBytes = width * colorType.channels
        for y in 0..<height {
            raw.append(0)  // filter type None
            raw.append(contentsOf: pixels[(y * rowBytes)..<((y + 1) * rowBytes)])
        }
        var header = [UInt8]()
        appendBigEndian(UInt32(width), to: &header)
        appendBigEndian(UInt32(height), to: &header)
        header += [8, colorType.rawValue, 0, 0, 0]
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        appendChunk("IHDR", header, to: &out)
        appendChunk("IDAT", deflate(raw), to: &out)
        appendChunk("IEND", [], to: &out)
        return out
    }

    /// A grayscale PNG from floats in [0, 1] (clamped; a NaN is black, where it trapped in the conversion to a
    /// byte).
    public static func encodeGray(width: Int, height: Int, values: [Float]) -> [UInt8] {
        encode(
            width: width, height: height, colorType: .grayscale,
            pixels: values.map { $0.isNaN ? 0 : UInt8((min(max($0, 0), 1) * 255).rounded()) })
    }

    /// Images of `tileHeight x tileWidth` (floats in [0, 1]) laid out in a grid with a 1-pixel gap.
    public static func grid(images: [[Float]], tileWidth: Int, tileHeight: Int, columns: Int) -> (width: Int, height: Int, values: [Float]) {
        let count = max(images.count, 1)
        let cols = max(1, min(columns, count))
        let rows = (count + cols - 1) / cols
        let width = cols * (tileWidth + 1) + 1
        let height = rows * (tileHeight + 1) + 1
        var values = [Float](repeating: 0.5, count: width * height)
        for (index, image) in images.enumerated() {
            let ox = (index % cols) * (tileWidth + 1) + 1
            let oy = (index / cols) * (tileHeight + 1) + 1
            for y in 0..<tileHeight {
                for x in 0..<tileWidth where y * tileWidth + x < image.count {
                    values[(oy + y) * width + ox + x] = image[y * tileWidth + x]
                }
            }
        }
        return (width, height, values)
    }

    static func deflate(_ data: [UInt8]) -> [UInt8] {
        var destinationLength = compressBound(uLong(data.count))
        var destination = [UInt8](repeating: 0, count: Int(destinationLength))
        let status = data.withUnsafeBufferPointer { source in
            compress2(&destination, &destinationLength, source.baseAddress, uLong(data.count), 6)
        }
        precondition(status == Z_OK, "zlib compress2 failed with status \(status)")
        return Array(destination.prefix(Int(destinationLength)))
    }

    static func appendChunk(_ type: String, _ data: [UInt8], to out: inout [UInt8]) {
        appendBigEndian(UInt32(data.count), to: &out)
        let typeBytes = Array(type.utf8)
        var crc = crc32(0, nil, 0)
        crc = typeBytes.withUnsafeBufferPointer { crc32(crc, $0.baseAddress, uInt(typeBytes.count)) }
        if !data.isEmpty { crc = data.withUnsafeBufferPointer { crc32(crc, $0.baseAddress, uInt(data.count)) } }
        out += typeBytes
        out += data
        appendBigEndian(UInt32(truncatingIfNeeded: crc), to: &out)
    }

    static func appendBigEndian(_ value: UInt32, to out: inout [UInt8]) {
        out += [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}

using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using SkiaSharp;

namespace MLNet.CnnDiagnostics.Tests.Data;

/// <summary>Image files an adversarial user (or a messy dataset) supplies: built byte by byte, so each test makes its own input.</summary>
internal static class HostileImages
{
    /// <summary>A small valid image with a random pattern, encoded as PNG or JPEG.</summary>
    public static byte[] Valid(int width, int height, int seed, SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        var random = new Random(seed);
        using var bitmap = new SKBitmap(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
        using var data = bitmap.Encode(format, 90);
        return data.ToArray();
    }

    /// <summary>
    /// A complete, valid PNG of <paramref name="width"/>×<paramref name="height"/> black pixels (1-bit grey, so it compresses
    /// to a few hundred KB at 16000×16000), which a decoder would expand to 4 bytes a pixel: a decompression bomb.
    /// </summary>
    public static byte[] BombPng(int width, int height)
    {
        using var raw = new MemoryStream();
        using (var z = new ZLibStream(raw, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var row = new byte[1 + (width + 7) / 8]; // filter byte 0, then zero bits
            for (int y = 0; y < height; y++) z.Write(row);
        }
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 1; // bit depth
        ihdr[9] = 0; // greyscale
        return Png(("IHDR", ihdr), ("IDAT", raw.ToArray()), ("IEND", []));
    }

    /// <summary>A PNG whose header is valid but whose compressed pixel data is garbage (with correct chunk checksums).</summary>
    public static byte[] CorruptDataPng(int width, int height, int seed)
    {
        var garbage = new byte[256];
        new Random(seed).NextBytes(garbage);
        garbage[0] = 0x78; // a zlib header, so the decoder gets as far as the deflate data
        garbage[1] = 0x9C;
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;
        ihdr[9] = 2; // RGB
        return Png(("IHDR", ihdr), ("IDAT", garbage), ("IEND", []));
    }

    /// <summary>A text file that only has an image's name.</summary>
    public static byte[] Text => Encoding.UTF8.GetBytes("this is not an image, only named like one\n");

    /// <summary>The PNG's IHDR size fields rewritten (checksum fixed), so the header declares another size than the data holds.</summary>
    public static byte[] WithDeclaredPngSize(byte[] png, int width, int height)
    {
        var bytes = (byte[])png.Clone();
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(16), width);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(20), height);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(29), Crc32(bytes.AsSpan(12, 17)));
        return bytes;
    }

    /// <summary>The JPEG's first SOF segment's size fields rewritten, so the header declares another size than the data holds.</summary>
    public static byte[] WithDeclaredJpegSize(byte[] jpeg, int width, int height)
    {
        var bytes = (byte[])jpeg.Clone();
        for (int i = 2; i + 9 < bytes.Length;)
        {
            if (bytes[i] != 0xFF) break;
            byte marker = bytes[i + 1];
            int length = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(i + 2));
            if (marker is >= 0xC0 and <= 0xC3)
            {
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(i + 5), (ushort)height);
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(i + 7), (ushort)width);
                return bytes;
            }
            i += 2 + length;
        }
        throw new InvalidOperationException("no SOF segment found in the JPEG.");
    }

    private static byte[] Png(params (string Type, byte[] Data)[] chunks)
    {
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        Span<byte> four = stackalloc byte[4];
        foreach (var (type, data) in chunks)
        {
            BinaryPrimitives.WriteInt32BigEndian(four, data.Length);
            png.Write(four);
            var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
            png.Write(typed);
            BinaryPrimitives.WriteUInt32BigEndian(four, Crc32(typed));
            png.Write(four);
        }
        return png.ToArray();
    }

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }
}

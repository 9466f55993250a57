using MLNet.CnnDiagnostics.Data;
using MLNet.CnnDiagnostics.Rendering;

/// <summary>One labelled image file.</summary>
public sealed class DigitImage
{
    public string ImagePath { get; set; } = "";
    public string Label { get; set; } = "";
}

/// <summary>Writes MNIST digits as PNG files (one folder per class) and lists them.</summary>
internal static class DigitFiles
{
    public static List<DigitImage> Write(string mnistFolder, string imageFolder, int count)
    {
        var images = MnistReader.ReadImages(Path.Combine(mnistFolder, "t10k-images-idx3-ubyte.gz"), count);
        var labels = MnistReader.ReadLabels(Path.Combine(mnistFolder, "t10k-labels-idx1-ubyte.gz"), count);
        var list = new List<DigitImage>(count);
        for (int i = 0; i < count; i++)
        {
            string relative = Path.Combine(labels[i].ToString(), $"{i:D5}.png");
            string path = Path.Combine(imageFolder, relative);
            if (!File.Exists(path))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                var image = new RgbImage(28, 28);
                for (int y = 0; y < 28; y++)
                    for (int x = 0; x < 28; x++)
                    {
                        byte v = (byte)Math.Clamp(MathF.Round(images[i, y * 28 + x] * 255f), 0, 255);
                        image.SetPixel(x, y, new RgbColor(v, v, v));
                    }
                File.WriteAllBytes(path, image.EncodePng());
            }
            list.Add(new DigitImage { ImagePath = relative, Label = labels[i].ToString() });
        }
        return list;
    }
}

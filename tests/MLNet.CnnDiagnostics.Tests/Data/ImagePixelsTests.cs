using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MLNet.CnnDiagnostics.Data;
using SkiaSharp;

namespace MLNet.CnnDiagnostics.Tests.Data;

/// <summary>The scan's direct SkiaSharp decoding gives the values of ML.NET's LoadImages → ConvertToGrayscale → ResizeImages → ExtractPixels.</summary>
[TestClass]
public sealed class ImagePixelsTests
{
    public sealed class Row
    {
        public string ImagePath { get; set; } = "";
    }

    [TestMethod]
    public void Load_NamesWhatIsWrong_WithAFileThatIsNoImage()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "not an image");
            var problem = ImagePixels.Load(path, ImageFileCheck.DefaultMaxPixels, 1, 4, 4, new float[16]);
            Assert.AreEqual(ImageFileCheck.Problem(path), problem);
            StringAssert.Contains(problem, "is not an image SkiaSharp can decode");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    [DataRow(1, 28, 28)]
    [DataRow(3, 28, 28)]
    [DataRow(3, 224, 224)]
    [DataRow(1, 20, 24)]
    [DataRow(1, 16, 16)] // a grey file at the model's size holding all 256 levels: the copy without a grey conversion
    public void Load_EqualsMLNetImagePipeline(int channels, int height, int width)
    {
        string folder = Path.Combine(Path.GetTempPath(), "image-pixels-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        try
        {
            var files = WriteImages(folder);
            var ml = new MLContext(seed: 1);
            var rows = ml.Data.LoadFromEnumerable(files.Select(f => new Row { ImagePath = f }).ToList());
            IEstimator<ITransformer> chain = ml.Transforms.LoadImages("Image", folder, nameof(Row.ImagePath));
            if (channels == 1) chain = chain.Append(ml.Transforms.ConvertToGrayscale("Image"));
            chain = chain.Append(ml.Transforms.ResizeImages("Image", width, height)).Append(ml.Transforms.ExtractPixels("Pixels", "Image",
                channels == 1 ? ImagePixelExtractingEstimator.ColorBits.Red : ImagePixelExtractingEstimator.ColorBits.Rgb, interleavePixelColors: false));
            var expected = chain.Fit(rows).Transform(rows).GetColumn<VBuffer<float>>("Pixels").Select(v => v.DenseValues().ToArray()).ToList();
            for (int i = 0; i < files.Count; i++)
            {
                var actual = new float[channels * height * width];
                Assert.IsNull(ImagePixels.Load(Path.Combine(folder, files[i]), ImageFileCheck.DefaultMaxPixels, channels, height, width, actual));
                CollectionAssert.AreEqual(expected[i], actual, $"{files[i]} as [{channels},{height},{width}]");
            }
            Assert.IsTrue(expected.Any(e => e.Distinct().Count() > 50), "the images are not flat");
            if (height == 16) Assert.AreEqual(256, expected[^1].Distinct().Count(), "every grey level");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // grey, RGB and RGBA (partly transparent) PNGs and a JPEG, square and not, at the target size and not
    private static List<string> WriteImages(string folder)
    {
        var rng = new Random(4);
        var names = new List<string>();
        var kinds = new (int W, int H, SKColorType Type, SKAlphaType Alpha, SKEncodedImageFormat Format)[]
        {
            (28, 28, SKColorType.Gray8, SKAlphaType.Opaque, SKEncodedImageFormat.Png),
            (28, 28, SKColorType.Rgba8888, SKAlphaType.Opaque, SKEncodedImageFormat.Png),
            (28, 28, SKColorType.Rgba8888, SKAlphaType.Unpremul, SKEncodedImageFormat.Png),
            (40, 30, SKColorType.Gray8, SKAlphaType.Opaque, SKEncodedImageFormat.Png),
            (30, 41, SKColorType.Rgba8888, SKAlphaType.Opaque, SKEncodedImageFormat.Png),
            (224, 224, SKColorType.Rgba8888, SKAlphaType.Opaque, SKEncodedImageFormat.Png),
            (300, 200, SKColorType.Rgba8888, SKAlphaType.Unpremul, SKEncodedImageFormat.Png),
            (64, 48, SKColorType.Rgba8888, SKAlphaType.Opaque, SKEncodedImageFormat.Jpeg),
            (20, 24, SKColorType.Gray8, SKAlphaType.Opaque, SKEncodedImageFormat.Png),
            (16, 16, SKColorType.Gray8, SKAlphaType.Opaque, SKEncodedImageFormat.Png),
        };
        foreach (var (w, h, type, alpha, format) in kinds)
        {
            using var bitmap = new SKBitmap(new SKImageInfo(w, h, type, alpha));
            var bytes = new byte[bitmap.ByteCount];
            // smooth gradients with noise, so that resampling has something to do
            for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)Math.Clamp(i * 7 % 256 / 2 + rng.Next(128), 0, 255);
            if (w == 16) for (int i = 0; i < 256; i++) bytes[i] = (byte)(255 - i);
            System.Runtime.InteropServices.Marshal.Copy(bytes, 0, bitmap.GetPixels(), bytes.Length);
            string name = $"{names.Count}.{(format == SKEncodedImageFormat.Png ? "png" : "jpg")}";
            using (var data = bitmap.Encode(format, 90))
            using (var file = File.Create(Path.Combine(folder, name)))
                data.SaveTo(file);
            names.Add(name);
        }
        return names;
    }
}

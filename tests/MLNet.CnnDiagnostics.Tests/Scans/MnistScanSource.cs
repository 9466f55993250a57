using MLNet.CnnDiagnostics.Scans;
using MLNet.CnnDiagnostics.Tests.Onnx;

namespace MLNet.CnnDiagnostics.Tests.Scans;

/// <summary>The first MNIST test digits as a scan source ([1, 28, 28], 0..255); the ids in <paramref name="unreadable"/> fail to load.</summary>
internal sealed class MnistScanSource(int count, IReadOnlySet<long>? unreadable = null) : IScanSource
{
    public long Count => count;

    public IReadOnlyList<int> ItemShape => [1, 28, 28];

    public byte[] Fingerprint => System.Text.Encoding.UTF8.GetBytes($"mnist test digits 0..{count - 1}");

    public string Key(long id) => $"digits/{id:D5}.png";

    public FloatTensor Image(long id) => new([1, 28, 28], MnistFixture.Images[id].Select(b => (float)b).ToArray());

    public void Load(IReadOnlyList<long> ids, Span<float> target, string?[] errors)
    {
        for (int i = 0; i < ids.Count; i++)
        {
            if (unreadable?.Contains(ids[i]) == true) errors[i] = "is corrupt (test)";
            else Image(ids[i]).Data.CopyTo(target.Slice(i * 784, 784));
        }
    }
}

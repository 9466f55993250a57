namespace MLNet.CnnDiagnostics.Analysis.ClassVisualization;

/// <summary>
/// Lucid's image parameterisation (Olah et al. 2017, "Feature Visualization"; lucid.optvis.param.image): coefficients a of
/// a Fourier basis, scaled by 1/max(frequency, 1/size) so that every frequency band starts with about equal energy, give
/// t = F(s ⊙ a)/4 per channel; three channels are then mixed from a decorrelated colour space by the square root of
/// ImageNet's colour correlation (normalised), and a sigmoid maps to [0, 1]. The basis is the real (Hartley) form of the
/// Fourier basis on the next power-of-two plane, cropped to the image. Adam ascends a; Lucid's defaults: a ~ N(0, 0.01²).
/// </summary>
internal sealed class LucidImage : ImageParameterization
{
    // lucid.optvis.param.color: color_correlation_svd_sqrt (RGB), normalised by its largest column norm
    private static readonly double[,] ColourCorrelationSqrt = { { 0.26, 0.09, 0.02 }, { 0.27, 0.00, -0.05 }, { 0.27, -0.09, 0.03 } };

    private readonly int _n, _c, _h, _w, _p, _q;
    private readonly float[] _a;
    private readonly double[] _scale;
    private readonly double[,] _colour;
    private readonly int[] _rgbToChannel;
    private readonly HartleyTransform _hartley;
    private readonly AdamAscent _adam;
    private readonly double[] _buffer, _out;
    private FloatTensor? _image;

    public LucidImage(int[] shape, ClassVisualizationOptions options, Random random)
    {
        (_n, _c, _h, _w) = (shape[0], shape[1], shape[2], shape[3]);
        _p = HartleyTransform.NextPowerOfTwo(_h);
        _q = HartleyTransform.NextPowerOfTwo(_w);
        _hartley = new HartleyTransform(_p, _q);
        _buffer = new double[_p * _q];
        _out = new double[_p * _q];
        _a = new float[_n * _c * _p * _q];
        for (int i = 0; i < _a.Length; i++) _a[i] = (float)(0.01 * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        _scale = new double[_p * _q];
        double floor = 1.0 / Math.Max(_h, _w), norm = 1 / Math.Sqrt(_p * _q);
        for (int ky = 0; ky < _p; ky++)
        for (int kx = 0; kx < _q; kx++)
        {
            double fy = (double)Math.Min(ky, _p - ky) / _p, fx = (double)Math.Min(kx, _q - kx) / _q;
            // Lucid: √(w·h)/max(f, 1/size) before an inverse FFT that divides by w·h; the same as 1/max(f, 1/size) in an orthonormal basis
            _scale[ky * _q + kx] = norm / Math.Max(Math.Sqrt(fy * fy + fx * fx), floor);
        }
        _colour = new double[3, 3];
        double largest = Enumerable.Range(0, 3).Max(j => Math.Sqrt(Enumerable.Range(0, 3).Sum(i => ColourCorrelationSqrt[i, j] * ColourCorrelationSqrt[i, j])));
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) _colour[i, j] = ColourCorrelationSqrt[i, j] / largest;
        _rgbToChannel = options.ChannelsAreBgr ? [2, 1, 0] : [0, 1, 2];
        _adam = new AdamAscent(_a.Length, options.LearningRate);
    }

    public override FloatTensor Image()
    {
        if (_image is not null) return _image;
        int plane = _h * _w;
        var t = new double[_n * _c * plane];
        for (int i = 0; i < _n * _c; i++)
        {
            for (int k = 0; k < _p * _q; k++) _buffer[k] = _scale[k] * _a[i * _p * _q + k];
            _hartley.Apply(_buffer, _out);
            for (int y = 0; y < _h; y++)
                for (int x = 0; x < _w; x++) t[i * plane + y * _w + x] = _out[y * _q + x] / 4;
        }
        if (_c == 3) t = Mix(t, transpose: false);
        _image = new FloatTensor(_n, _c, _h, _w);
        for (int i = 0; i < t.Length; i++) _image.Data[i] = (float)(1 / (1 + Math.Exp(-t[i])));
        return _image;
    }

    public override void Ascend(FloatTensor imageGradient, int step)
    {
        var image = Image();
        int plane = _h * _w;
        var g = new double[image.Length];
        for (int i = 0; i < g.Length; i++) g[i] = imageGradient.Data[i] * image.Data[i] * (1.0 - image.Data[i]);
        if (_c == 3) g = Mix(g, transpose: true);
        var ga = new float[_a.Length];
        for (int i = 0; i < _n * _c; i++)
        {
            Array.Clear(_buffer);
            for (int y = 0; y < _h; y++)
                for (int x = 0; x < _w; x++) _buffer[y * _q + x] = g[i * plane + y * _w + x] / 4;
            _hartley.Apply(_buffer, _out);
            for (int k = 0; k < _p * _q; k++) ga[i * _p * _q + k] = (float)(_scale[k] * _out[k]);
        }
        _adam.Step(_a, ga, step);
        _image = null;
    }

    /// <summary>Model channels from decorrelated ones (RGB = C·t), or the adjoint (t = Cᵀ·RGB) for gradients.</summary>
    private double[] Mix(double[] t, bool transpose)
    {
        int plane = _h * _w;
        var r = new double[t.Length];
        for (int n = 0; n < _n; n++)
            for (int p = 0; p < plane; p++)
                for (int i = 0; i < 3; i++)
                {
                    double s = 0;
                    for (int j = 0; j < 3; j++)
                        s += (transpose ? _colour[j, i] : _colour[i, j]) * t[(n * 3 + (transpose ? _rgbToChannel[j] : j)) * plane + p];
                    r[(n * 3 + (transpose ? i : _rgbToChannel[i])) * plane + p] = s;
                }
        return r;
    }
}

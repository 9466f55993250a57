using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MLNet.CnnDiagnostics.Gradients;

/// <summary>
/// A minimal ONNX Runtime session over FloatTensors (inputs and outputs float).
/// Stands in until the shared executor (Execution/) is used here.
/// </summary>
internal sealed class OrtSession : IDisposable
{
    private readonly InferenceSession _session;

    public OrtSession(byte[] model, string description)
    {
        try
        {
            using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
            _session = new InferenceSession(model, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new CnnDiagnosticsException($"ONNX Runtime rejected the {description}: {e.Message}", e);
        }
    }

    public IReadOnlyDictionary<string, FloatTensor> Run(IReadOnlyDictionary<string, FloatTensor> inputs, IReadOnlyList<string> outputs)
    {
        var names = inputs.Keys.ToArray();
        var values = names.Select(n => OrtValue.CreateTensorValueFromMemory(inputs[n].Data, inputs[n].Shape.Select(d => (long)d).ToArray())).ToArray();
        try
        {
            using var runOptions = new RunOptions();
            using var results = _session.Run(runOptions, names, values, outputs);
            var map = new Dictionary<string, FloatTensor>();
            for (int i = 0; i < outputs.Count; i++)
            {
                var info = results[i].GetTensorTypeAndShape();
                var shape = info.Shape.Select(d => (int)d).ToArray();
                float[] data = info.ElementDataType == TensorElementType.Float
                    ? results[i].GetTensorDataAsSpan<float>().ToArray()
                    : new float[FloatTensor.ElementCount(shape)];
                map[outputs[i]] = new FloatTensor(shape, data);
            }
            return map;
        }
        catch (OnnxRuntimeException e)
        {
            throw new CnnDiagnosticsException($"ONNX Runtime failed to run: {e.Message}", e);
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    public void Dispose() => _session.Dispose();
}

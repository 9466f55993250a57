using MLNet.CnnDiagnostics.Cli;

return CnnDiag.Run(args, Console.Out, Console.Error, showProgress: !Console.IsErrorRedirected);

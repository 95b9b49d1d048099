return await Exporters.Host.ExporterApplication.RunAsync(args);

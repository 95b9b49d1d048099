using Exporters.Elasticsearch.Tests;

// Usage: es-fixture-server [--port 9200] [--set es7|es6] [--fixtures DIR] [--file /path=FILE ...]
//        es-fixture-server generate OUTPUT_DIR [INDICES] [SHARDS]
// Serves until stopped (Ctrl-C or SIGTERM).
if (args.Length >= 2 && args[0] == "generate")
{
    var count = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 10_000;
    var rows = args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 50_000;
    return await Generate.RunAsync(EsFixtureServer.DefaultFixtureDirectory(), args[1], count, rows);
}

var port = 9200;
var set = "es7";
string? fixtures = null;
var files = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i < args.Length; i++)
{
    var value = i + 1 < args.Length ? args[i + 1] : null;
    switch (args[i])
    {
        case "--port" when value is not null:
            port = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
            i++;
            break;
        case "--set" when value is not null && EsFixtureServer.Sets.ContainsKey(value):
            set = value;
            i++;
            break;
        case "--fixtures" when value is not null:
            fixtures = value;
            i++;
            break;
        case "--file" when value is not null && value.Contains('=', StringComparison.Ordinal):
            // The path may hold a query ("/_all/_stats?level=shards=FILE"), so the file starts after the last '='.
            var equals = value.LastIndexOf('=');
            files[value[..equals]] = Path.GetFullPath(value[(equals + 1)..]);
            i++;
            break;
        default:
            await Console.Error.WriteLineAsync($"es-fixture-server: unknown or incomplete argument '{args[i]}'\nusage: es-fixture-server [--port 9200] [--set {string.Join('|', EsFixtureServer.Sets.Keys)}] [--fixtures DIR] [--file /path=FILE ...]");
            return 2;
    }
}

await using var server = await EsFixtureServer.StartAsync(set, fixtureDirectory: fixtures, port: port, files: files);
Console.WriteLine($"es-fixture-server: serving fixture set '{set}' on {server.Uri}");
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
}

return 0;

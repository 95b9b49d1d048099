// Usage: startup-floor --web.listen-address=HOST:PORT
var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = args });
builder.WebHost.UseKestrelCore();
builder.Services.AddRoutingCore();
var app = builder.Build();
app.MapGet("/metrics", () => "up 1\n");
var address = args.Single(a => a.StartsWith("--web.listen-address=", StringComparison.Ordinal))["--web.listen-address=".Length..];
app.Urls.Add($"http://{address}");
app.Run();

using Exporters.Alertmanager;
using Exporters.Hosting;
using Exporters.Redis;
using HttpCheck;

// A distribution of its own: two built-in collectors and one written here.
var builder = ExporterApplication.CreateBuilder(args);
builder.AddRedis();
builder.AddAlertmanager();
builder.AddHttpCheck();
return await builder.RunAsync();

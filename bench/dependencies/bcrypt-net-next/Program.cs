using System.Diagnostics;
using System.Globalization;

// Reads lines "cost<TAB>password<TAB>hash" (hashes made by htpasswd -nbB -C cost), checks that each library accepts
// the right password and refuses a wrong one, then times verifications at cost 10. key=value lines for ./run.
if (args.Length is < 1 or > 2)
{
    await Console.Error.WriteLineAsync("usage: probe HASH_FILE [VERIFICATIONS]");
    return 2;
}

var cases = (await File.ReadAllLinesAsync(args[0])).Select(l => l.Split('\t')).Where(p => p.Length == 3).Select(p => (Cost: p[0], Password: p[1], Hash: p[2])).ToArray();
var verifications = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
var libraries = new List<(string Name, Func<string, string, bool> Verify)> { ("bcrypt_net_next", (password, hash) => BCrypt.Net.BCrypt.Verify(password, hash)) };
#if PROJECT_BCRYPT
libraries.Add(("project", (password, hash) => Exporters.Host.Security.Bcrypt.Verify(password, hash)));
#else
Console.WriteLine("project=absent");
#endif

var failures = 0;
foreach (var (name, verify) in libraries)
{
    foreach (var (cost, password, hash) in cases)
    {
        var right = verify(password, hash);
        var wrong = verify(password + "x", hash);
        var label = password.Any(c => c > 127) ? "utf8" : "ascii";
        Console.WriteLine($"{name}_cost{cost}_{label}={(right && !wrong ? "ok" : $"FAILED(right={right},wrong={wrong})")}");
        failures += right && !wrong ? 0 : 1;
    }
}

// A malformed hash in a configuration: refused (false) or thrown, which a caller has to handle.
foreach (var (name, verify) in libraries)
{
    string outcome;
    try
    {
        outcome = verify("password", "$2y$10$tooShort") ? "accepted" : "false";
    }
    catch (Exception e) when (e is not OutOfMemoryException)
    {
        outcome = "throws " + e.GetType().Name;
    }

    Console.WriteLine($"{name}_malformed_hash={outcome}");
}

var timed = cases.First(c => c.Cost == "10");
foreach (var (name, verify) in libraries)
{
    verify(timed.Password, timed.Hash);
    var clock = Stopwatch.StartNew();
    for (var i = 0; i < verifications; i++)
    {
        verify(timed.Password, timed.Hash);
    }

    clock.Stop();
    Console.WriteLine($"{name}_ms_per_verify_cost10={clock.Elapsed.TotalMilliseconds / verifications:F1}");
}

return failures == 0 ? 0 : 1;

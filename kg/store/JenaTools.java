// Two small front ends over Debian's Apache Jena 4.5 jars (Debian ships no Fuseki), run in
// Java's source-file mode by kg/store/jena.py:
//
//   java -cp JENA JenaTools.java shacl SHAPES OUT_FOLDER DATA...
//       Jena SHACL (org.apache.jena.shacl) on each data graph in one JVM; each report is
//       written as N-Triples to OUT_FOLDER/<data file name>.report.nt, with the data's
//       triples leading to each blank focus node (so that the caller can name it). A DATA
//       argument is one file, or several joined by the path separator (':'), the last
//       naming the report: the data graph is their union, and a file named again is read
//       once (an ontology shared by every data graph).
//   java -cp JENA JenaTools.java serve TDB2_FOLDER PORT
//       A SPARQL 1.1 server on 127.0.0.1:PORT over a TDB2 database whose default graph is
//       the union of its named graphs: /query (SPARQL protocol, JSON results, Jena's ARQ
//       engine) and /data (Graph Store Protocol: PUT, GET, DELETE ?graph=IRI, N-Triples).
//       Prints "ready" when it listens; stops on SIGTERM.

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import org.apache.jena.graph.Graph;
import org.apache.jena.graph.compose.MultiUnion;
import org.apache.jena.graph.Node;
import org.apache.jena.graph.NodeFactory;
import org.apache.jena.query.Dataset;
import org.apache.jena.query.Query;
import org.apache.jena.query.QueryExecution;
import org.apache.jena.query.QueryExecutionFactory;
import org.apache.jena.query.QueryFactory;
import org.apache.jena.query.QueryParseException;
import org.apache.jena.query.ResultSetFormatter;
import org.apache.jena.riot.Lang;
import org.apache.jena.riot.RDFDataMgr;
import org.apache.jena.riot.RDFParser;
import org.apache.jena.shacl.ShaclValidator;
import org.apache.jena.shacl.Shapes;
import org.apache.jena.shacl.ValidationReport;
import org.apache.jena.sparql.core.DatasetGraph;
import org.apache.jena.sparql.graph.GraphFactory;
import org.apache.jena.system.Txn;
import org.apache.jena.tdb2.TDB2;
import org.apache.jena.tdb2.TDB2Factory;

public class JenaTools {
    public static void main(String[] args) throws Exception {
        if (args.length >= 3 && args[0].equals("shacl")) {
            shacl(args);
        } else if (args.length == 3 && args[0].equals("serve")) {
            serve(args[1], Integer.parseInt(args[2]));
        } else {
            System.err.println("usage: shacl SHAPES OUT DATA... | serve TDB2_FOLDER PORT");
            System.exit(2);
        }
    }

    static void shacl(String[] args) throws IOException {
        Shapes shapes = Shapes.parse(RDFDataMgr.loadGraph(args[1]));
        Path out = Path.of(args[2]);
        Map<String, Graph> read = new HashMap<>();
        for (int i = 3; i < args.length; i++) {
            String[] files = args[i].split(java.io.File.pathSeparator);
            MultiUnion data = new MultiUnion();
            for (String file : files) {
                data.addGraph(read.computeIfAbsent(file, RDFDataMgr::loadGraph));
            }
            String named = files[files.length - 1];
            ValidationReport report = ShaclValidator.get().validate(shapes, data);
            Graph written = GraphFactory.createDefaultGraph();
            report.getGraph().find().forEachRemaining(written::add);
            Node focusNode = NodeFactory.createURI("http://www.w3.org/ns/shacl#focusNode");
            java.util.ArrayDeque<Node> blanks = new java.util.ArrayDeque<>();
            report.getGraph().find(Node.ANY, focusNode, Node.ANY).forEachRemaining(t -> {
                if (t.getObject().isBlank()) blanks.add(t.getObject());
            });
            java.util.Set<Node> seen = new java.util.HashSet<>();
            while (!blanks.isEmpty()) {
                Node blank = blanks.pop();
                if (!seen.add(blank)) continue;
                data.find(Node.ANY, Node.ANY, blank).forEachRemaining(t -> {
                    written.add(t);
                    if (t.getSubject().isBlank()) blanks.add(t.getSubject());
                });
            }
            read.remove(named);  // the file of its own: not needed again
            Path target = out.resolve(Path.of(named).getFileName() + ".report.nt");
            try (OutputStream stream = Files.newOutputStream(target)) {
                RDFDataMgr.write(stream, written, Lang.NTRIPLES);
            }
        }
    }

    static void serve(String folder, int port) throws IOException {
        Dataset dataset = TDB2Factory.connectDataset(folder);
        dataset.getContext().set(TDB2.symUnionDefaultGraph, true);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/query", exchange -> answer(exchange, () -> query(exchange, dataset)));
        server.createContext("/data", exchange -> answer(exchange, () -> graphStore(exchange, dataset)));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(0)));
        server.start();
        System.out.println("ready");
        System.out.flush();
    }

    interface Handler { Reply handle() throws Exception; }

    record Reply(int status, String type, byte[] body) {}

    static Reply text(int status, String message) {
        return new Reply(status, "text/plain; charset=utf-8", message.getBytes(StandardCharsets.UTF_8));
    }

    static void answer(HttpExchange exchange, Handler handler) throws IOException {
        Reply reply;
        try {
            reply = handler.handle();
        } catch (QueryParseException err) {
            reply = text(400, "Parse error: " + err.getMessage());
        } catch (Exception err) {
            reply = text(500, err.toString());
        }
        exchange.getResponseHeaders().set("Content-Type", reply.type());
        if (reply.body().length == 0) {
            exchange.sendResponseHeaders(reply.status(), -1);
        } else {
            exchange.sendResponseHeaders(reply.status(), reply.body().length);
            try (OutputStream out = exchange.getResponseBody()) { out.write(reply.body()); }
        }
        exchange.close();
    }

    static Map<String, String> form(String encoded) {
        Map<String, String> values = new HashMap<>();
        if (encoded == null || encoded.isEmpty()) return values;
        for (String pair : encoded.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            values.putIfAbsent(key, value);
        }
        return values;
    }

    static Reply query(HttpExchange exchange, Dataset dataset) throws IOException {
        String text;
        String method = exchange.getRequestMethod();
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        String body = method.equals("POST")
            ? new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8) : "";
        if (method.equals("POST") && type != null && type.startsWith("application/sparql-query")) {
            text = body;
        } else {
            Map<String, String> params = form(exchange.getRequestURI().getRawQuery());
            params.putAll(form(body));
            text = params.get("query");
        }
        if (text == null) return text(400, "no query");
        Query query = QueryFactory.create(text);
        return Txn.calculateRead(dataset, () -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (QueryExecution execution = QueryExecutionFactory.create(query, dataset)) {
                if (query.isSelectType()) {
                    ResultSetFormatter.outputAsJSON(out, execution.execSelect());
                } else if (query.isAskType()) {
                    ResultSetFormatter.outputAsJSON(out, execution.execAsk());
                } else {
                    return text(400, "only SELECT and ASK queries are served");
                }
            }
            return new Reply(200, "application/sparql-results+json", out.toByteArray());
        });
    }

    static Reply graphStore(HttpExchange exchange, Dataset dataset) throws IOException {
        String iri = form(exchange.getRequestURI().getRawQuery()).get("graph");
        if (iri == null) return text(400, "give ?graph=IRI");
        Node name = NodeFactory.createURI(iri);
        DatasetGraph graphs = dataset.asDatasetGraph();
        switch (exchange.getRequestMethod()) {
            case "PUT": {
                byte[] body = exchange.getRequestBody().readAllBytes();
                Graph parsed = GraphFactory.createDefaultGraph();
                RDFParser.source(new ByteArrayInputStream(body)).lang(Lang.NTRIPLES).parse(parsed);
                Txn.executeWrite(dataset, () -> {
                    graphs.deleteAny(name, Node.ANY, Node.ANY, Node.ANY);
                    parsed.find().forEachRemaining(t -> graphs.add(name, t.getSubject(), t.getPredicate(), t.getObject()));
                });
                return new Reply(204, "text/plain", new byte[0]);
            }
            case "DELETE":
                Txn.executeWrite(dataset, () -> graphs.deleteAny(name, Node.ANY, Node.ANY, Node.ANY));
                return new Reply(204, "text/plain", new byte[0]);
            case "GET": {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                Txn.executeRead(dataset, () -> RDFDataMgr.write(out, graphs.getGraph(name), Lang.NTRIPLES));
                return new Reply(200, "application/n-triples", out.toByteArray());
            }
            default:
                return text(405, "PUT, GET or DELETE");
        }
    }
}

package dev.swan.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The module graph, read from the poms: no cycles; the SPI depends on no other module; a plugin (metric,
 * allocator, format) depends on the SPI, the host's toolkit (provided, from the launcher's class loader)
 * and the testkit in test scope, never on another plugin or the launcher; the example plugin builds
 * against the SPI alone, with the testkit for its tests.
 */
class ModuleGraphTest {
    /** A dependency on another swan module: its artifact and scope. */
    private record Edge(String to, String scope) {
    }

    @Test
    void pluginsDependOnTheSpiAndNothingElseOfSwan() throws Exception {
        Map<String, List<Edge>> graph = graph();
        assertTrue(graph.keySet().containsAll(List.of("swan-api", "swan-toolkit", "swan-testkit", "metric-svd",
                "format-gguf", "launcher", "swan-plugin-outliers")), graph.keySet().toString());
        assertEquals(List.of(), graph.get("swan-api"));
        assertEquals(List.of(new Edge("swan-api", "compile")), graph.get("swan-toolkit"));
        for (Map.Entry<String, List<Edge>> m : graph.entrySet()) {
            if (!isPlugin(m.getKey())) continue;
            for (Edge e : m.getValue()) {
                boolean allowed = e.equals(new Edge("swan-api", "provided"))
                        || e.equals(new Edge("swan-toolkit", "provided"))
                        || e.equals(new Edge("swan-testkit", "test"));
                assertTrue(allowed, m.getKey() + " depends on " + e);
            }
            assertTrue(m.getValue().contains(new Edge("swan-api", "provided")), m.getKey() + " " + m.getValue());
        }
        assertEquals(List.of(new Edge("swan-api", "provided"), new Edge("swan-testkit", "test")),
                graph.get("swan-plugin-outliers"));
        assertNoCycle(graph);
    }

    /** The Spark job builds on the launcher; nothing builds on it (the launcher finds it with ServiceLoader). */
    @Test
    void theSparkJobIsALeaf() throws Exception {
        Map<String, List<Edge>> graph = graph();
        assertTrue(graph.get("swan-spark").contains(new Edge("launcher", "compile")), graph.get("swan-spark").toString());
        for (Map.Entry<String, List<Edge>> m : graph.entrySet()) {
            for (Edge e : m.getValue()) assertTrue(!e.to().equals("swan-spark"), m.getKey() + " depends on the Spark job");
        }
    }

    private static boolean isPlugin(String module) {
        return module.startsWith("metric-") || module.startsWith("allocator-") || module.startsWith("format-")
                || module.equals("swan-plugin-outliers");
    }

    private static void assertNoCycle(Map<String, List<Edge>> graph) {
        Map<String, Integer> state = new TreeMap<>();
        for (String m : graph.keySet()) visit(m, graph, state, new ArrayList<>());
    }

    /** Depth-first: 1 = on the current path, 2 = done; reaching a module on the path is a cycle. */
    private static void visit(String m, Map<String, List<Edge>> graph, Map<String, Integer> state, List<String> path) {
        Integer s = state.get(m);
        path.add(m);
        assertTrue(s == null || s == 2, "dependency cycle: " + path);
        if (s == null) {
            state.put(m, 1);
            for (Edge e : graph.getOrDefault(m, List.of())) visit(e.to(), graph, state, path);
            state.put(m, 2);
        }
        path.remove(path.size() - 1);
    }

    /** Every module of the reactor (and the example) with its dependencies on other swan modules. */
    private static Map<String, List<Edge>> graph() throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        Document parent = parse(root.resolve("pom.xml"));
        Map<String, List<Edge>> graph = new LinkedHashMap<>();
        NodeList modules = parent.getElementsByTagName("module");
        for (int i = 0; i < modules.getLength(); i++) {
            Document pom = parse(root.resolve(modules.item(i).getTextContent().trim()).resolve("pom.xml"));
            Element project = pom.getDocumentElement();
            List<Edge> edges = new ArrayList<>();
            Element deps = child(project, "dependencies");
            if (deps != null) {
                for (Element d : children(deps, "dependency")) {
                    String group = text(d, "groupId");
                    if (!"dev.swan".equals(group)) continue;
                    String scope = text(d, "scope");
                    edges.add(new Edge(text(d, "artifactId"), scope == null ? "compile" : scope));
                }
            }
            graph.put(text(project, "artifactId"), edges);
        }
        assertTrue(graph.size() >= 14 && Set.copyOf(graph.keySet()).size() == graph.size(), graph.keySet().toString());
        return graph;
    }

    private static Document parse(Path pom) throws Exception {
        assertTrue(Files.isRegularFile(pom), pom.toString());
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
    }

    private static Element child(Element e, String name) {
        List<Element> c = children(e, name);
        return c.isEmpty() ? null : c.get(0);
    }

    private static List<Element> children(Element e, String name) {
        List<Element> out = new ArrayList<>();
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && c.getTagName().equals(name)) out.add(c);
        }
        return out;
    }

    private static String text(Element e, String name) {
        Element c = child(e, name);
        return c == null ? null : c.getTextContent().trim();
    }
}

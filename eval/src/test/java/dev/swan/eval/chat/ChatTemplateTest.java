package dev.swan.eval.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.toolkit.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Qwen3's and Llama 3.1/3.2's chat templates (as their model repositories publish them) rendered exactly as
 * Python's Jinja 2 renders them with Hugging Face's settings: the expected texts in cases.json were made by
 * render.py beside it, not by this code.
 */
class ChatTemplateTest {
    private static final Clock DAY = Clock.fixed(Instant.parse("2026-12-08T10:00:00Z"), ZoneOffset.UTC);

    @TestFactory
    Stream<DynamicTest> rendersAsHuggingFaceDoes() throws IOException {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> cases = (List<Map<String, Object>>) Json.parse(text("cases.json"));
        assertTrue(cases.size() >= 14);
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.get("template") + ": " + c.get("chat")
                + (Boolean.TRUE.equals(c.get("add_generation_prompt")) ? ", generation prompt" : "") + " " + c.get("variables"), () -> {
            ChatTemplate t = ChatTemplate.parse(text((String) c.get("template")), (String) c.get("template"));
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> messages = (List<Map<String, Object>>) c.get("messages");
            @SuppressWarnings("unchecked")
            Map<String, Object> variables = (Map<String, Object>) c.get("variables");
            assertEquals(c.get("expected"), t.render(messages, (Boolean) c.get("add_generation_prompt"), variables, DAY));
        }));
    }

    @Test
    void whitespaceControlAsJinja() {
        assertEquals("  x\na\nb", render("  {% if true %}\n  x\n  {% endif %}\n{{ \"a\" }}\n{# c #}\nb"));
        assertEquals("a|b", render("a  {%- if true -%}  |  {%- endif -%}  b"));
        assertEquals("    x", render("{% if true %}\n    {%+ if true %}x{% endif %}\n{% endif %}"));
        assertEquals("    x\n", render("{% if true %}\n    {%+ if true %}x{% endif +%}\n{% endif %}"));
    }

    @Test
    void pythonSemantics() {
        assertEquals("01;01;01;0", render("{% set x = 0 %}{% for i in range(3) %}{{ x }}{% set x = x + 1 %}{{ x }};{% endfor %}{{ x }}"));
        assertEquals("3", render("{% set ns = namespace(n=0) %}{% for i in [1, 2, 3] %}{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.n }}"));
        assertEquals("[1, 2.5, 'a', None, True] {'a': 1} 1e-05 1.5 3 2", render("{{ [1,2.5,\"a\",none,true] }} {{ {\"a\":1} }} {{ 1e-5 }} {{ 3/2 }} {{ 7//2 }} {{ -7 % 3 }}"));
        assertEquals("cba|c|ab|b,c", render("{{ 'abc'[::-1] }}|{{ 'abc'[-1] }}|{{ 'abc'[:2] }}|{{ ['a','b','c'][1:]|join(',') }}"));
        assertEquals("x|['a', 'b', '']|True|hi|2", render("{{ '\\n\\nx\\n'.strip('\\n') }}|{{ 'a,b,'.split(',') }}|{{ 'abc'.startswith(('x', 'a')) }}"
                + "|{{ '  hi '|trim }}|{{ [1, 2]|length }}"));
        assertEquals("[1-2][1-3]", render("{% macro f(a, b=2) %}[{{a}}-{{b}}]{% endmacro %}{{ f(1) }}{{ f(1, b=3) }}"));
        assertEquals("a=1,b=2,", render("{% for k, v in {'a': 1, 'b': 2}|items %}{{ k }}={{ v }},{% endfor %}"));
        assertEquals("1 3 ", render("{% for i in range(5) if i is odd %}{{ i }} {% endfor %}"));
        assertEquals("no", render("{% for i in [] %}x{% else %}no{% endfor %}"));
        assertEquals("ab", render("{% for i in 'abcd' %}{% if i == 'c' %}{% break %}{% endif %}{{ i }}{% endfor %}"));
        assertEquals("yes", render("{{ 'yes' if x is not defined and 'b' in 'abc' and not none else 'no' }}"));
        assertEquals("08 Dec 2026", render("{{ strftime_now('%d %b %Y') }}"));
    }

    @Test
    void errorsNameTheLine() {
        ChatTemplateException e = assertThrows(ChatTemplateException.class, () -> render("line one\n{{ raise_exception('no system role') }}"));
        assertEquals("t.jinja, chat template line 2: the template refuses: no system role", e.getMessage());
        e = assertThrows(ChatTemplateException.class, () -> render("a\n\n{% if x %}never closed"));
        assertTrue(e.getMessage().startsWith("t.jinja, chat template line 3"), e.getMessage());
        e = assertThrows(ChatTemplateException.class, () -> render("{{ 'a' + 1 }}"));
        assertTrue(e.getMessage().contains("unsupported operand types for +: 'str' and 'int'"), e.getMessage());
    }

    /** A template from a model repository is not trusted to be small: the sandbox's limits, one line each. */
    @Test
    void hostileTemplatesAreRefusedInOneLine() {
        for (String t : new String[] {"{% for i in range(10**9) %}x{% endfor %}", "{{ 'ab' * 10**9 }}",
            "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "{{ " + "(".repeat(20000) + "1" + ")".repeat(20000) + " }}"}) {
            ChatTemplateException e = assertThrows(ChatTemplateException.class, () -> render(t), t.substring(0, Math.min(40, t.length())));
            assertTrue(e.getMessage().startsWith("t.jinja, chat template line") && !e.getMessage().contains("\n"), e.getMessage());
        }
        assertEquals("100000", render("{{ range(100000)|length }}"), "the sandbox's largest range renders");
    }

    private static String render(String template) {
        return ChatTemplate.parse(template, "t.jinja").render(List.of(), false, Map.of(), DAY);
    }

    private static InputStream resource(String name) {
        return ChatTemplateTest.class.getResourceAsStream(name);
    }

    private static String text(String name) throws IOException {
        try (InputStream in = resource(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}

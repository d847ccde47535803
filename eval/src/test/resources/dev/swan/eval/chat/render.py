# Makes cases.json: each case rendered by Python's Jinja 2 the way Hugging Face's apply_chat_template renders
# (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loopcontrols, its tojson, raise_exception and
# strftime_now, here at a fixed date). Run: python3 render.py > cases.json (jinja2 3.1.6 made the file).
import json
from datetime import datetime
import jinja2
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
env.filters["tojson"] = tojson
env.globals["raise_exception"] = raise_exception
env.globals["strftime_now"] = lambda fmt: datetime(2026, 12, 8).strftime(fmt)

weather = {"type": "function", "function": {"name": "get_weather", "description": "The weather in a city, °C",
           "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
call = {"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Zürich"}}}
chats = {
    "system and user": [{"role": "system", "content": "You are a helpful assistant."},
                        {"role": "user", "content": "Hello! How are you?"}],
    "user only": [{"role": "user", "content": "  Write a haiku about rain.  "}],
    "multi-turn with thinking": [
        {"role": "user", "content": "What is 2+2?"},
        {"role": "assistant", "content": "<think>\nEasy: four.\n</think>\n\n2+2 = 4."},
        {"role": "user", "content": "And 3+3?"}],
    "tool call": [
        {"role": "system", "content": "Use tools when needed."},
        {"role": "user", "content": "Weather in Zürich?"},
        {"role": "assistant", "content": "", "tool_calls": [call]},
        {"role": "tool", "content": "{\"temperature\": 3}"}],
}
cases = []
for template, variants in [
    ("qwen3.jinja", [("system and user", {}, True), ("user only", {}, True), ("multi-turn with thinking", {}, True),
                     ("multi-turn with thinking", {}, False), ("system and user", {"enable_thinking": False}, True),
                     ("tool call", {"tools": [weather]}, True)]),
    ("llama31.jinja", [("system and user", {}, True), ("user only", {}, True), ("multi-turn with thinking", {}, False),
                       ("tool call", {"tools": [weather]}, True), ("user only", {"date_string": "1 Jan 2025"}, True)]),
    ("llama32.jinja", [("system and user", {}, True), ("user only", {}, False),
                       ("tool call", {"tools": [weather], "tools_in_user_message": False}, True)]),
]:
    source = open(template, encoding="utf-8").read()
    for chat, variables, add in variants:
        vars_ = {"bos_token": "<|begin_of_text|>" if "llama" in template else "", "eos_token": "<|eot_id|>" if "llama" in template else "<|im_end|>"}
        vars_.update(variables)
        text = env.from_string(source).render(messages=chats[chat], add_generation_prompt=add, **vars_)
        cases.append({"template": template, "chat": chat, "messages": chats[chat], "variables": vars_,
                      "add_generation_prompt": add, "expected": text})
print(json.dumps(cases, ensure_ascii=False, indent=1))

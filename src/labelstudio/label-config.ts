/**
 * What kgal needs from a Label Studio labeling config (the XML of a project): the `<Choices>` tag that holds
 * the label (its name is the `from_name` of every result), the `<Text>` tag it labels (`to_name`) and the
 * task data field that tag shows (`value="$text"` -> `text`), and the allowed choices. Pure: XML in, a plain
 * object or a LabelConfigError naming what is missing out.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { KgalError } from '../errors/kgal-error.js';

export interface LabelConfig {
  /** The `<Choices name>`: `from_name` of results. */
  fromName: string;
  /** The `<Text name>` the choices label: `to_name` of results. */
  toName: string;
  /** The task data field the `<Text>` tag shows (`value="$text"` -> `text`). */
  textField: string;
  /** The label values a result may carry (a `<Choice alias>` where given, else its `value`), in config order. */
  choices: string[];
}

/** A labeling config kgal cannot work with; the message says what is missing. */
export class LabelConfigError extends KgalError {
  constructor(message: string) {
    super('rejected', `label config: ${message}`);
    this.name = 'LabelConfigError';
  }
}

interface Tag {
  name: string;
  attrs: Record<string, string>;
  children: Tag[];
}

/** fast-xml-parser's preserveOrder output: `[{TagName: [children], ':@': {attrs}}, {'#text': ...}]`. */
type OrderedNode = Record<string, unknown>;

function toTags(nodes: readonly OrderedNode[]): Tag[] {
  const tags: Tag[] = [];
  for (const node of nodes) {
    const name = Object.keys(node).find((k) => k !== ':@' && k !== '#text' && k !== '#comment' && !k.startsWith('?'));
    if (!name) continue;
    const attrs = (node[':@'] ?? {}) as Record<string, unknown>;
    tags.push({
      name,
      attrs: Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, String(v)])),
      children: toTags((node[name] ?? []) as OrderedNode[]),
    });
  }
  return tags;
}

function* walk(tags: readonly Tag[]): Generator<Tag> {
  for (const tag of tags) {
    yield tag;
    yield* walk(tag.children);
  }
}

const is = (tag: Tag, name: string): boolean => tag.name.toLowerCase() === name.toLowerCase();

/**
 * Reads the config. With several `<Choices>` tags, `choicesName` picks one (KGAL_LABELSTUDIO_CHOICES);
 * otherwise the first one that labels a `<Text>` tag is used.
 */
export function parseLabelConfig(xml: string, options: { choicesName?: string } = {}): LabelConfig {
  if (typeof xml !== 'string' || xml.trim() === '') throw new LabelConfigError('empty labeling config');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new LabelConfigError(`not well-formed XML (line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg})`);
  const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', parseAttributeValue: false, processEntities: true });
  const tags = [...walk(toTags(parser.parse(xml) as OrderedNode[]))];
  const texts = new Map(tags.filter((t) => is(t, 'Text') && t.attrs.name).map((t) => [t.attrs.name!, t]));
  const allChoices = tags.filter((t) => is(t, 'Choices'));
  if (allChoices.length === 0) {
    throw new LabelConfigError('no <Choices> tag: kgal labels each text with one of a set of choices (text classification)');
  }
  let choicesTag: Tag | undefined;
  if (options.choicesName) {
    choicesTag = allChoices.find((t) => t.attrs.name === options.choicesName);
    if (!choicesTag) {
      throw new LabelConfigError(`no <Choices name="${options.choicesName}"> (KGAL_LABELSTUDIO_CHOICES); the config has ${allChoices.map((t) => `"${t.attrs.name ?? ''}"`).join(', ')}`);
    }
  } else {
    choicesTag = allChoices.find((t) => texts.has(t.attrs.toName ?? '')) ?? allChoices[0]!;
  }
  const fromName = choicesTag.attrs.name;
  if (!fromName) throw new LabelConfigError('the <Choices> tag has no name attribute');
  const toName = choicesTag.attrs.toName;
  if (!toName) throw new LabelConfigError(`<Choices name="${fromName}"> has no toName attribute`);
  if ((choicesTag.attrs.choice ?? 'single').toLowerCase() === 'multiple') {
    throw new LabelConfigError(`<Choices name="${fromName}"> allows several choices (choice="multiple"); kgal gives each text one label`);
  }
  const text = texts.get(toName);
  if (!text) throw new LabelConfigError(`<Choices name="${fromName}"> labels "${toName}", which is not a <Text> tag`);
  const value = text.attrs.value ?? '';
  if (!/^\$[A-Za-z_][\w.-]*$/.test(value)) {
    throw new LabelConfigError(`<Text name="${toName}"> must show a task field (value="$field"), not value="${value}"`);
  }
  const choices = choicesTag.children.filter((t) => is(t, 'Choice')).map((t) => t.attrs.alias ?? t.attrs.value ?? '');
  if (choices.length === 0) throw new LabelConfigError(`<Choices name="${fromName}"> has no <Choice> tags`);
  const blank = choices.findIndex((c) => c.trim() === '');
  if (blank >= 0) throw new LabelConfigError(`<Choices name="${fromName}">: <Choice> number ${blank + 1} has no value`);
  const twice = choices.find((c, i) => choices.indexOf(c) !== i);
  if (twice !== undefined) throw new LabelConfigError(`<Choices name="${fromName}">: the choice "${twice}" appears twice`);
  return { fromName, toName, textField: value.slice(1), choices };
}

import { describe, expect, it } from 'vitest';
import { LabelConfigError, parseLabelConfig } from '../src/labelstudio/label-config.js';
import { projectIdOf, publicProjectState } from '../src/labelstudio/project-state.js';
import {
  annotatorOf,
  choicesResult,
  explanationText,
  itemIdOfTask,
  labelOfAnnotation,
  LabelStudioInputError,
  orderScore,
  textOfTask,
} from '../src/labelstudio/task-mapping.js';

const AG_NEWS = `<View>
  <Text name="text" value="$text"/>
  <Choices name="label" toName="text" choice="single">
    <Choice value="World"/>
    <Choice value="Sports"/>
    <Choice value="Business"/>
    <Choice value="Sci/Tech"/>
  </Choices>
</View>`;

describe('parseLabelConfig', () => {
  it('reads the Choices tag, the Text it labels, its $field and the choices in order', () => {
    expect(parseLabelConfig(AG_NEWS)).toEqual({ fromName: 'label', toName: 'text', textField: 'text', choices: ['World', 'Sports', 'Business', 'Sci/Tech'] });
  });

  it('uses aliases, nested views and picks the Choices that labels a Text', () => {
    const xml = `<View><Header value="Topic"/><View><Text name="body" value="$content"/></View>
      <Choices name="quality" toName="img"><Choice value="ok"/></Choices>
      <Choices name="topic" toName="body"><Choice value="Sports" alias="S"/><Choice value="World"/></Choices>
      <Image name="img" value="$image"/></View>`;
    expect(parseLabelConfig(xml)).toEqual({ fromName: 'topic', toName: 'body', textField: 'content', choices: ['S', 'World'] });
    expect(() => parseLabelConfig(xml, { choicesName: 'quality' })).toThrow(/labels "img", which is not a <Text> tag/);
    expect(() => parseLabelConfig(xml, { choicesName: 'nope' })).toThrow(/no <Choices name="nope">.*"quality", "topic"/);
  });

  it.each([
    ['<View><Text name="t" value="$text"/><Labels name="l" toName="t"><Label value="PER"/></Labels></View>', /no <Choices> tag/],
    ['<View><Text name="t" value="$text"/><Choices name="c" toName="t"></View>', /not well-formed XML \(line 1/],
    ['', /empty labeling config/],
    ['<View><Text name="t" value="$text"/><Choices name="c" toName="t" choice="multiple"><Choice value="a"/></Choices></View>', /choice="multiple"/],
    ['<View><Text name="t" value="plain"/><Choices name="c" toName="t"><Choice value="a"/></Choices></View>', /value="\$field"/],
    ['<View><Text name="t" value="$text"/><Choices name="c" toName="t"/></View>', /has no <Choice> tags/],
    ['<View><Text name="t" value="$text"/><Choices name="c" toName="t"><Choice value="a"/><Choice value="a"/></Choices></View>', /"a" appears twice/],
    ['<View><Text name="t" value="$text"/><Choices toName="t"><Choice value="a"/></Choices></View>', /no name attribute/],
  ])('refuses config %#: %s', (xml, message) => {
    expect(() => parseLabelConfig(xml)).toThrow(LabelConfigError);
    expect(() => parseLabelConfig(xml)).toThrow(message);
  });
});

describe('task mapping', () => {
  const config = parseLabelConfig(AG_NEWS);

  it('maps a task to its kgal_id, else to ls-<project>-<task>', () => {
    expect(itemIdOfTask({ id: 7, data: { text: 'x', kgal_id: 'ag-1' } }, 'kgal_id', 3)).toBe('ag-1');
    expect(itemIdOfTask({ id: 7, data: { text: 'x', kgal_id: 42 } }, 'kgal_id', 3)).toBe('42');
    expect(itemIdOfTask({ id: 7, data: { text: 'x', kgal_id: '  ' } }, 'kgal_id', 3)).toBe('ls-3-7');
    expect(itemIdOfTask({ id: 7, data: { text: 'x', ref: 'r9' } }, 'ref', 3)).toBe('r9');
    expect(textOfTask({ id: 7, data: { text: 'Stocks rally' } }, config)).toBe('Stocks rally');
    expect(textOfTask({ id: 7, data: { text: 12 } }, config)).toBeUndefined();
  });

  it('reads the one choice of an annotation, skips cancelled or empty ones, refuses choices outside the config', () => {
    const result = (choices: unknown[], from = 'label') => [{ from_name: from, to_name: 'text', type: 'choices', value: { choices } }];
    expect(labelOfAnnotation({ id: 1, task: 2, result: result(['Sports']) }, config)).toEqual({ label: 'Sports' });
    expect(labelOfAnnotation({ id: 1, task: 2, result: result(['Sports']), was_cancelled: true }, config)).toHaveProperty('skipped');
    expect(labelOfAnnotation({ id: 1, task: 2, result: [] }, config)).toHaveProperty('skipped');
    expect(labelOfAnnotation({ id: 1, task: 2, result: result(['Sports'], 'other') }, config)).toHaveProperty('skipped');
    expect(() => labelOfAnnotation({ id: 5, task: 9, result: result(['Cooking']) }, config)).toThrow(LabelStudioInputError);
    expect(() => labelOfAnnotation({ id: 5, task: 9, result: result(['Cooking']) }, config)).toThrow(
      'annotation 5 of task 9: "Cooking" is not a choice of <Choices name="label"> (World, Sports, Business, Sci/Tech); nothing written',
    );
    expect(() => labelOfAnnotation({ id: 5, task: 9, result: result(['World', 'Sports']) }, config)).toThrow(/2 choices/);
  });

  it('names the annotator by Label Studio user id', () => {
    expect(annotatorOf({ id: 1, task: 1, completed_by: 4 })).toBe('labelstudio:4');
    expect(annotatorOf({ id: 1, task: 1, completed_by: { id: 2, email: 'a@b' } })).toBe('labelstudio:2');
    expect(annotatorOf({ id: 1, task: 1 })).toBeUndefined();
  });

  it('orders the batch first, in rank order, then the least confident', () => {
    const scores = [orderScore(1, 10, undefined), orderScore(2, 10, 0.99), orderScore(10, 10, undefined), orderScore(undefined, 10, 0.3), orderScore(undefined, 10, 0.9), orderScore(undefined, 10, undefined)];
    expect([...scores].sort((a, b) => a - b)).toEqual(scores);
    expect(new Set(scores).size).toBe(scores.length);
    expect(scores.every((s) => s >= 0 && s <= 1)).toBe(true);
  });

  it('builds the result Label Studio stores, with the explanation as meta text', () => {
    const why = explanationText({ round: 2, rank: 1, batchSize: 10, strategy: 'kg-guided', fills: ['Federal Mogul', 'Turner'], prediction: { label: 'Business', probability: 0.614 } });
    expect(why).toBe('kgal round 2, pick 1 of 10 (kg-guided); fills: Federal Mogul, Turner; model: Business (61%)');
    expect(choicesResult(config, 'Business', why)).toEqual({ from_name: 'label', to_name: 'text', type: 'choices', value: { choices: ['Business'] }, meta: { text: [why] } });
    expect(choicesResult(config, 'World')).not.toHaveProperty('meta');
  });

  it('reads project ids and never shows the token', () => {
    expect(projectIdOf('12.1796644781')).toBe(12);
    expect(projectIdOf(5)).toBe(5);
    expect(projectIdOf('x.1')).toBeUndefined();
    const shown = publicProjectState({ project: '1.2', projectId: 1, accessToken: 'secret', labelConfig: AG_NEWS, round: 0, batch: [], batchTasks: {}, skipped: [] });
    expect(JSON.stringify(shown)).not.toContain('secret');
    expect(shown.hasAccessToken).toBe(true);
  });
});

import { json, jsonParseLinter } from '@codemirror/lang-json';
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { lintGutter, linter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { EditorSelection, EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { tags } from '@lezer/highlight';
import { basicSetup } from 'codemirror';
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  ApiError,
  createConfiguration,
  deleteConfiguration,
  getConfiguration,
  listConfigurations,
  updateConfiguration,
  type Configuration,
  type ConfigurationSummary,
  type Problem,
} from '../api.js';
import { formatClock } from '../format.js';
import { hrefFor } from '../hooks.js';
import { locatePath } from '../state/jsonPath.js';

const NEW_DOCUMENT = {
  MediaInsightsPipelineConfigurationName: 'new-configuration',
  Elements: [
    { Type: 'AmazonTranscribeProcessor', AmazonTranscribeProcessorConfiguration: { LanguageCode: 'en-US' } },
    { Type: 'KinesisDataStreamSink' },
  ],
};

/** What UpdateMediaInsightsPipelineConfiguration accepts: the three fields it replaces. */
function editableDocument(configuration: Configuration): object {
  const { ResourceAccessRoleArn, RealTimeAlertConfiguration, Elements } = configuration;
  return {
    ...(ResourceAccessRoleArn !== undefined ? { ResourceAccessRoleArn } : {}),
    ...(RealTimeAlertConfiguration !== undefined ? { RealTimeAlertConfiguration } : {}),
    Elements,
  };
}

const highlight = HighlightStyle.define([
  { tag: tags.propertyName, color: 'var(--json-key)' },
  { tag: tags.string, color: 'var(--json-string)' },
  { tag: tags.number, color: 'var(--json-number)' },
  { tag: [tags.bool, tags.null], color: 'var(--json-bool)' },
]);

const theme = EditorView.theme({
  '&': { backgroundColor: 'var(--bg-raised)', color: 'var(--fg)', fontSize: '13px' },
  '.cm-content': { caretColor: 'var(--fg)' },
  '.cm-gutters': {
    backgroundColor: 'var(--bg-alt)',
    color: 'var(--fg-muted)',
    borderRight: '1px solid var(--border)',
  },
  '.cm-activeLine, .cm-activeLineGutter': {
    backgroundColor: 'color-mix(in srgb, var(--accent) 8%, transparent)',
  },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground': {
    backgroundColor: 'color-mix(in srgb, var(--accent) 30%, transparent) !important',
  },
  '&.cm-focused': { outline: '3px solid var(--focus)' },
});

type Selected = { kind: 'new' } | { kind: 'existing'; configuration: Configuration } | null;

/**
 * Call analytics configurations: list, create, edit (JSON, checked by the API), delete. Read-only
 * unless `editable` (admins): the document is shown, without the controls that change it.
 */
export default function Configurations({ name, editable }: { name: string | null; editable: boolean }) {
  const [list, setList] = useState<ConfigurationSummary[] | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const [selected, setSelected] = useState<Selected>(null);
  const [problems, setProblems] = useState<{ errors: readonly Problem[]; warnings: readonly Problem[] }>({
    errors: [],
    warnings: [],
  });
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const editorBox = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);

  const refresh = useCallback(() => {
    listConfigurations()
      .then((items) => {
        setList(items);
        setListError(null);
      })
      .catch((err: unknown) => setListError(String(err instanceof Error ? err.message : err)));
  }, []);
  useEffect(refresh, [refresh]);

  const setDocument = useCallback((document: object) => {
    const text = `${JSON.stringify(document, null, 2)}\n`;
    const editor = view.current;
    if (editor) {
      editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: text } });
      editor.dispatch(setDiagnostics(editor.state, []));
    }
  }, []);

  // One editor for the page's lifetime; documents are swapped into it.
  useEffect(() => {
    if (!editorBox.current) return;
    const editor = new EditorView({
      parent: editorBox.current,
      extensions: [
        basicSetup,
        json(),
        linter(jsonParseLinter()),
        lintGutter(),
        syntaxHighlighting(highlight),
        theme,
        EditorView.contentAttributes.of({ 'aria-label': 'Configuration document (JSON)' }),
        ...(editable ? [] : [EditorState.readOnly.of(true), EditorView.editable.of(false)]),
      ],
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
  }, [editable]);

  // The route names the configuration: load it (or the template for a new one).
  useEffect(() => {
    setProblems({ errors: [], warnings: [] });
    setMessage(null);
    if (name === null) {
      setSelected(null);
      return;
    }
    if (name === '+new' && editable) {
      setSelected({ kind: 'new' });
      setDocument(NEW_DOCUMENT);
      return;
    }
    let cancelled = false;
    getConfiguration(name)
      .then((configuration) => {
        if (cancelled) return;
        setSelected({ kind: 'existing', configuration });
        setDocument(editableDocument(configuration));
      })
      .catch((err: unknown) => !cancelled && setMessage(`Could not load ${name}: ${String(err)}`));
    return () => {
      cancelled = true;
    };
  }, [name, setDocument, editable]);

  const showProblems = (errors: readonly Problem[], warnings: readonly Problem[]) => {
    setProblems({ errors, warnings });
    const editor = view.current;
    if (!editor) return;
    const text = editor.state.doc.toString();
    const diagnostics: Diagnostic[] = [];
    for (const [severity, list] of [
      ['error', errors],
      ['warning', warnings],
    ] as const) {
      for (const problem of list) {
        const at = locatePath(text, problem.path) ?? { from: 0, to: Math.min(1, text.length) };
        diagnostics.push({ ...at, severity, message: `${problem.path || '(document)'}: ${problem.message}` });
      }
    }
    editor.dispatch(setDiagnostics(editor.state, diagnostics));
  };

  const jumpTo = (path: string) => {
    const editor = view.current;
    if (!editor) return;
    const at = locatePath(editor.state.doc.toString(), path);
    if (!at) return;
    editor.dispatch({ selection: EditorSelection.single(at.from, at.to), scrollIntoView: true });
    editor.focus();
  };

  const save = () => {
    const editor = view.current;
    if (!editor || !selected) return;
    const text = editor.state.doc.toString();
    setBusy(true);
    setMessage(null);
    const saving =
      selected.kind === 'new'
        ? createConfiguration(text)
        : updateConfiguration(selected.configuration.MediaInsightsPipelineConfigurationName, text);
    saving
      .then((saved) => {
        const configuration = saved.MediaInsightsPipelineConfiguration;
        setSelected({ kind: 'existing', configuration });
        showProblems([], saved.Warnings ?? []);
        setMessage(`Saved ${configuration.MediaInsightsPipelineConfigurationName}.`);
        refresh();
        if (selected.kind === 'new')
          window.location.hash = hrefFor.configurations(configuration.MediaInsightsPipelineConfigurationName);
      })
      .catch((err: unknown) => {
        if (err instanceof ApiError) {
          showProblems(err.problems, []);
          setMessage(`Not saved: ${err.message}`);
        } else setMessage(`Not saved: ${String(err)}`);
      })
      .finally(() => setBusy(false));
  };

  const remove = () => {
    if (selected?.kind !== 'existing') return;
    const target = selected.configuration.MediaInsightsPipelineConfigurationName;
    if (!window.confirm(`Delete the configuration ${target}?`)) return;
    setBusy(true);
    deleteConfiguration(target)
      .then(() => {
        refresh();
        window.location.hash = hrefFor.configurations();
      })
      .catch((err: unknown) => setMessage(`Not deleted: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => setBusy(false));
  };

  const current = selected?.kind === 'existing' ? selected.configuration : null;
  return (
    <div className="config-view">
      <nav className="config-list" aria-label="Configurations">
        {editable && (
          <a className="button-like" href={hrefFor.configurations('+new')}>
            + New configuration
          </a>
        )}
        {listError && <p className="error-text">{listError}</p>}
        <ul>
          {list?.map((c) => (
            <li key={c.MediaInsightsPipelineConfigurationId}>
              <button
                type="button"
                aria-current={c.MediaInsightsPipelineConfigurationName === name}
                onClick={() =>
                  (window.location.hash = hrefFor.configurations(c.MediaInsightsPipelineConfigurationName))
                }
              >
                {c.MediaInsightsPipelineConfigurationName}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <section className="config-editor" aria-labelledby="config-h">
        <h1 id="config-h" style={{ margin: 0, fontSize: '1.2rem' }}>
          {selected === null
            ? 'Call analytics configurations'
            : selected.kind === 'new'
              ? 'New configuration'
              : selected.configuration.MediaInsightsPipelineConfigurationName}
        </h1>
        {selected === null && !editable && (
          <p className="muted">Choose a configuration to read it. Only admins change configurations.</p>
        )}
        {selected === null && editable && (
          <p className="muted">
            Choose a configuration to edit it, or create one. Documents use Chime's
            MediaInsightsPipelineConfiguration schema; Callsight checks them and points at every problem.
          </p>
        )}
        {current && (
          <p className="muted" style={{ margin: 0 }}>
            <span className="mono">{current.MediaInsightsPipelineConfigurationArn}</span> · updated{' '}
            {formatClock(current.UpdatedTimestamp)}. The name cannot change; saving replaces
            ResourceAccessRoleArn, RealTimeAlertConfiguration and Elements.
          </p>
        )}
        <div className="editor-box" ref={editorBox} hidden={selected === null} />
        {selected !== null && editable && (
          <div className="toolbar">
            <button type="button" className="primary" disabled={busy} onClick={save}>
              {selected.kind === 'new' ? 'Create' : 'Save'}
            </button>
            {current && (
              <button type="button" disabled={busy} onClick={() => setDocument(editableDocument(current))}>
                Revert
              </button>
            )}
            {current && (
              <button type="button" disabled={busy} onClick={remove}>
                Delete
              </button>
            )}
            <span role="status" className="toast">
              {message}
            </span>
          </div>
        )}
        {problems.errors.length + problems.warnings.length > 0 && (
          <ul className="problems" aria-label="Problems">
            {problems.errors.map((p, i) => (
              <ProblemItem key={`e${i}`} problem={p} severity="error" onJump={jumpTo} />
            ))}
            {problems.warnings.map((p, i) => (
              <ProblemItem key={`w${i}`} problem={p} severity="warning" onJump={jumpTo} />
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function ProblemItem({
  problem,
  severity,
  onJump,
}: {
  problem: Problem;
  severity: 'error' | 'warning';
  onJump: (path: string) => void;
}) {
  return (
    <li className={severity}>
      {severity === 'error' ? 'Error' : 'Warning'}{' '}
      {problem.path ? (
        <button type="button" className="link mono" onClick={() => onJump(problem.path)}>
          {problem.path}
        </button>
      ) : (
        <span className="mono">(document)</span>
      )}
      : {problem.message}
    </li>
  );
}

// Entry for the embedded process, which mounts this service next to the others.
export { AuditModule } from './audit.module';

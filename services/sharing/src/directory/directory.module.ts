import { Module } from '@nestjs/common';
import { DepartmentDirectoryController } from './department-directory.controller';
import { DepartmentDirectoryService } from './department-directory.service';

@Module({ controllers: [DepartmentDirectoryController], providers: [DepartmentDirectoryService] })
export class DirectoryModule {}
